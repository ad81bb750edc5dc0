package io.insession.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.insession.schemas.RecommendationList;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The registry of push-stream listeners: per session, bounded, thread-safe. */
class SessionSubscriptionsTest {

  private final SessionSubscriptions subscriptions = new SessionSubscriptions(3);

  @Test
  void shouldDeliverAListOnlyToTheListenersOfItsSession() {
    final List<String> a1 = new CopyOnWriteArrayList<>();
    final List<String> a2 = new CopyOnWriteArrayList<>();
    final List<String> b = new CopyOnWriteArrayList<>();
    subscriptions.subscribe("s-a", list -> a1.add(list.getRecommendationId()));
    subscriptions.subscribe("s-a", list -> a2.add(list.getRecommendationId()));
    subscriptions.subscribe("s-b", list -> b.add(list.getRecommendationId()));

    subscriptions.publish("s-a", TestLists.list("r-1", "s-a", "i-1"));
    subscriptions.publish("s-a", TestLists.list("r-2", "s-a", "i-2"));
    subscriptions.publish("s-c", TestLists.list("r-3", "s-c", "i-3"));

    assertThat(a1).containsExactly("r-1", "r-2");
    assertThat(a2).containsExactly("r-1", "r-2");
    assertThat(b).isEmpty();
    assertThat(subscriptions.size()).isEqualTo(3);
    assertThat(subscriptions.sessions()).isEqualTo(2);
  }

  @Test
  void shouldStopDeliveringAndForgetTheSessionWhenClosed() {
    final List<String> got = new CopyOnWriteArrayList<>();
    final SessionSubscriptions.Subscription subscription =
        subscriptions.subscribe("s-a", list -> got.add(list.getRecommendationId()));

    subscription.close();
    subscription.close();
    subscriptions.publish("s-a", TestLists.list("r-1", "s-a", "i-1"));

    assertThat(got).isEmpty();
    assertThat(subscriptions.size()).isZero();
    assertThat(subscriptions.sessions()).isZero();
  }

  @Test
  void shouldRefuseSubscribersBeyondTheLimitAndAcceptAgainAfterOneLeft() {
    final SessionSubscriptions.Subscription first = subscriptions.subscribe("s-a", list -> {});
    subscriptions.subscribe("s-b", list -> {});
    subscriptions.subscribe("s-b", list -> {});

    assertThrows(
        SessionSubscriptions.TooManySubscribersException.class,
        () -> subscriptions.subscribe("s-c", list -> {}));
    assertThat(subscriptions.size()).isEqualTo(3);

    first.close();
    subscriptions.subscribe("s-c", list -> {});
    assertThat(subscriptions.size()).isEqualTo(3);
  }

  @Test
  void shouldKeepDeliveringToOthersWhenAListenerThrows() {
    final List<String> got = new CopyOnWriteArrayList<>();
    subscriptions.subscribe(
        "s-a",
        list -> {
          throw new IllegalStateException("broken listener");
        });
    subscriptions.subscribe("s-a", list -> got.add(list.getRecommendationId()));

    subscriptions.publish("s-a", TestLists.list("r-1", "s-a", "i-1"));

    assertThat(got).containsExactly("r-1");
  }

  @Test
  void shouldStayConsistentUnderConcurrentSubscribesPublishesAndCloses() throws Exception {
    final SessionSubscriptions many = new SessionSubscriptions(1_000);
    final RecommendationList list = TestLists.list("r-1", "s-0", "i-1");
    final ExecutorService pool = Executors.newFixedThreadPool(4);
    final CountDownLatch go = new CountDownLatch(1);
    try {
      final List<Future<?>> tasks = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        tasks.add(
            pool.submit(
                () -> {
                  go.await();
                  for (int i = 0; i < 2_000; i++) {
                    final String session = "s-" + (i % 5);
                    final SessionSubscriptions.Subscription s = many.subscribe(session, l -> {});
                    many.publish(session, list);
                    s.close();
                    if (i % 3 == 0) {
                      s.close(); // closing twice must not free two slots
                    }
                  }
                  return null;
                }));
      }
      go.countDown();
      for (final Future<?> task : tasks) {
        task.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(many.size()).isZero();
    assertThat(many.sessions()).isZero();
  }
}
