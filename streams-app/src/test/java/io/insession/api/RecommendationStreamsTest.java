package io.insession.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.insession.metrics.PrometheusMetrics;
import io.insession.testing.HttpJson;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The push stream over HTTP on a stub source: first list, live lists, heartbeats, limits. */
class RecommendationStreamsTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final StubSource source = new StubSource(2);
  private final LookupApi api =
      LookupApi.start(
          source,
          null,
          new PushSettings(2, Duration.ofMillis(50)),
          0,
          PrometheusMetrics.newRegistry());

  @AfterEach
  void stop() {
    api.close();
  }

  private String streamPath(final String sessionId) {
    return "/v1/sessions/" + sessionId + "/recommendations/stream";
  }

  @Test
  void shouldSendTheLatestListThenEachNewOneInOrder() throws Exception {
    source.arrive(TestLists.list("r-1", "s-1", "i-1", "i-2"));
    try (SseTestClient client = new SseTestClient(api.port(), streamPath("s-1"))) {
      await().atMost(TIMEOUT).until(() -> client.events().size() == 1);
      assertThat(client.status()).isEqualTo(200);
      final SseTestClient.Event first = client.events().get(0);
      assertThat(first.event()).isEqualTo("recommendations");
      assertThat(first.id()).isEqualTo("r-1");
      final JsonNode get = new HttpJson(api.port()).get("/v1/sessions/s-1/recommendations").body();
      assertThat(MAPPER.readTree(first.data())).as("the same view as the GET").isEqualTo(get);

      source.arrive(TestLists.list("r-2", "s-1", "i-3"));
      source.arrive(TestLists.list("x-1", "s-other", "i-3"));
      source.arrive(TestLists.list("r-3", "s-1", "i-4"));

      await().atMost(TIMEOUT).until(() -> client.events().size() == 3);
      assertThat(client.events())
          .extracting(SseTestClient.Event::id)
          .containsExactly("r-1", "r-2", "r-3");
      assertThat(
              MAPPER
                  .readTree(client.events().get(2).data())
                  .get("items")
                  .get(0)
                  .get("itemId")
                  .asText())
          .isEqualTo("i-4");
    }
  }

  @Test
  void shouldWaitForTheFirstListOfAnUnknownSessionAndSendHeartbeats() {
    try (SseTestClient client = new SseTestClient(api.port(), streamPath("s-new"))) {
      await().atMost(TIMEOUT).until(() -> client.comments() >= 2);
      assertThat(client.events()).isEmpty();
      assertThat(api.openStreams()).isEqualTo(1);

      source.arrive(TestLists.list("r-1", "s-new", "i-1"));

      await().atMost(TIMEOUT).until(() -> client.events().size() == 1);
      assertThat(client.events().get(0).id()).isEqualTo("r-1");
    }
  }

  @Test
  void shouldDropTheSubscriptionWhenTheClientHangsUp() {
    final SseTestClient client = new SseTestClient(api.port(), streamPath("s-1"));
    await().atMost(TIMEOUT).until(() -> client.comments() >= 1);
    assertThat(source.subscriptions.size()).isEqualTo(1);

    client.close();

    await().atMost(TIMEOUT).until(() -> source.subscriptions.size() == 0);
    assertThat(api.openStreams()).isZero();
  }

  @Test
  void shouldAnswer503BeyondTheSubscriberLimit() {
    try (SseTestClient one = new SseTestClient(api.port(), streamPath("s-1"));
        SseTestClient two = new SseTestClient(api.port(), streamPath("s-2"))) {
      await().atMost(TIMEOUT).until(() -> one.comments() >= 1 && two.comments() >= 1);

      try (SseTestClient three = new SseTestClient(api.port(), streamPath("s-3"))) {
        await().atMost(TIMEOUT).until(() -> three.status() != -1);
        assertThat(three.status()).isEqualTo(503);
      }
    }
  }

  @Test
  void shouldAnswer406WithoutAcceptEventStream() {
    final HttpJson.Answer answer = new HttpJson(api.port()).get(streamPath("s-1"));

    assertThat(answer.status()).isEqualTo(406);
    assertThat(answer.body().get("error").asText()).contains("Accept: text/event-stream");
    assertThat(source.subscriptions.size()).isZero();
  }

  @Test
  void shouldEndOpenStreamsWhenClosed() {
    try (SseTestClient client = new SseTestClient(api.port(), streamPath("s-1"))) {
      await().atMost(TIMEOUT).until(() -> client.comments() >= 1);

      api.close();

      await().atMost(TIMEOUT).until(client::ended);
      assertThat(source.subscriptions.size()).isZero();
    }
  }
}
