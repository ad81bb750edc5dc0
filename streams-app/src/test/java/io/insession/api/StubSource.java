package io.insession.api;

import io.insession.schemas.RecommendationList;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** A {@link RecommendationSource} for tests: lists put by hand, published to subscribers. */
final class StubSource implements RecommendationSource {
  final Map<String, RecommendationList> lists = new ConcurrentHashMap<>();
  final SessionSubscriptions subscriptions;
  volatile Readiness readiness = Readiness.notReady("not started");
  volatile boolean alive = true;
  volatile int closeCount;

  StubSource() {
    this(100);
  }

  StubSource(final int maxSubscribers) {
    this.subscriptions = new SessionSubscriptions(maxSubscribers);
  }

  /** A new list arrives: cached, then handed to the subscribers, as the real source does. */
  void arrive(final RecommendationList list) {
    lists.put(list.getSessionId(), list);
    subscriptions.publish(list.getSessionId(), list);
  }

  @Override
  public Optional<RecommendationList> latest(final String sessionId) {
    return Optional.ofNullable(lists.get(sessionId));
  }

  @Override
  public SessionSubscriptions.Subscription subscribe(
      final String sessionId, final Consumer<RecommendationList> listener) {
    return subscriptions.subscribe(sessionId, listener);
  }

  @Override
  public void forget(final String sessionId) {
    lists.remove(sessionId);
  }

  @Override
  public Readiness readiness() {
    return readiness;
  }

  @Override
  public boolean isAlive() {
    return alive;
  }

  @Override
  public void close() {
    closeCount++;
  }
}
