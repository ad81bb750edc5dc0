package io.insession.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.insession.http.HttpSecurity;
import io.insession.metrics.PrometheusMetrics;
import io.insession.schemas.WeblogEvent;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Read-your-writes waits on a real HTTP server with the test doubles of the view and the sink: a
 * waiting {@code POST /v1/events?wait_ms} holds no thread (far more requests wait at once than the
 * server has threads, and all are answered), the timeout answers what arrived and names the rest
 * pending, the limit answers 503 with Retry-After and writes nothing, and shutdown answers every
 * waiting request.
 */
class ReadYourWritesWaitTest {

  /** Threads of the server under test: a fraction of the requests made to wait at once. */
  private static final int THREADS = 2 * HttpLimits.MIN_THREADS;

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String WAIT_LONG = waitPath(ReadYourWrites.MAX_WAIT_MS);

  private final StubSource view = new StubSource(1000);
  private final RecordingSink sink = new RecordingSink();
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final PrometheusMeterRegistry registry = PrometheusMetrics.newRegistry();
  private ReadYourWrites fresh;
  private LookupApi api;

  @AfterEach
  void stop() {
    if (api != null) {
      api.close();
    }
  }

  @Test
  void shouldAnswerFarMoreWaitingRequestsThanTheServerHasThreads() {
    start(1000);
    final int requests = 4 * THREADS;
    final List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      answers.add(postAsync(WAIT_LONG, productView("ev-r" + i, "s-" + i)));
    }

    // every request waits at once, each without a thread, and the server still answers others
    await().atMost(Duration.ofSeconds(30)).until(() -> fresh.waiting() == requests);
    assertThat(answers).noneMatch(CompletableFuture::isDone);
    assertThat(get("/health").statusCode()).isEqualTo(200);
    assertThat(sink.written).hasSize(requests);

    for (int i = 0; i < requests; i++) {
      view.arrive(TestLists.list("r" + i, "s-" + i, "i-" + i));
    }
    for (int i = 0; i < requests; i++) {
      final HttpResponse<String> answer = answers.get(i).join();
      assertThat(answer.statusCode()).isEqualTo(202);
      final JsonNode body = json(answer);
      assertThat(body.get("eventIds").get(0).asText()).isEqualTo("ev-r" + i);
      assertThat(body.get("pending")).isEmpty();
      assertThat(body.get("recommendations")).hasSize(1);
      assertThat(body.get("recommendations").get(0).get("triggerEventId").asText())
          .isEqualTo("ev-r" + i);
      assertThat(body.get("recommendations").get(0).get("items").get(0).get("itemId").asText())
          .isEqualTo("i-" + i);
    }
    await().until(() -> fresh.waiting() == 0 && view.subscriptions.size() == 0);
  }

  @Test
  void shouldAnswerWhatArrivedWhenTheWaitRunsOutAndNameTheOthersPending() {
    start(1000);
    // the stream answers session s-a at once (before the write returns) and never s-b
    sink.onWrite = events -> view.arrive(TestLists.list("a", "s-a", "i-7"));

    final HttpResponse<String> answer =
        post(
            waitPath(200),
            """
            [{"eventId": "ev-a", "sessionId": "s-a", "eventType": "PRODUCT_VIEW", "itemId": "i-1"},
             {"eventId": "ev-b", "sessionId": "s-b", "eventType": "ADD_TO_CART", "itemId": "i-2"},
             {"eventId": "ev-c", "sessionId": "s-a", "eventType": "SEARCH"}]
            """);

    assertThat(answer.statusCode()).isEqualTo(202);
    final JsonNode body = json(answer);
    assertThat(body.get("accepted").asInt()).isEqualTo(3);
    assertThat(body.get("eventIds").toString()).isEqualTo("[\"ev-a\",\"ev-b\",\"ev-c\"]");
    assertThat(body.get("recommendations")).hasSize(1);
    assertThat(body.get("recommendations").get(0).get("triggerEventId").asText()).isEqualTo("ev-a");
    // a search triggers no list, so it is not waited for
    assertThat(body.get("pending").toString()).isEqualTo("[\"ev-b\"]");
    assertThat(sink.written).extracting(WeblogEvent::getEventId).contains("ev-a", "ev-b", "ev-c");
    await().until(() -> fresh.waiting() == 0 && view.subscriptions.size() == 0);
    assertThat(registry.scrape()).contains("insession_api_read_your_writes_timed_out_total 1.0");
  }

  @Test
  void shouldRefuseAWaitBeyondTheLimitWith503AndRetryAfterWritingNothingOfIt() {
    start(2);
    final CompletableFuture<HttpResponse<String>> first =
        postAsync(WAIT_LONG, productView("ev-r1", "s-1"));
    final CompletableFuture<HttpResponse<String>> second =
        postAsync(WAIT_LONG, productView("ev-r2", "s-2"));
    await().atMost(Duration.ofSeconds(30)).until(() -> fresh.waiting() == 2);

    final HttpResponse<String> refused = post(WAIT_LONG, productView("ev-r3", "s-3"));
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.headers().firstValue("Retry-After")).contains("1");
    final JsonNode error = json(refused);
    assertThat(error.get("code").asText()).isEqualTo("TOO_MANY_WAITING");
    assertThat(error.get("retryable").asBoolean()).isTrue();
    assertThat(error.get("error").asText())
        .contains("at most 2", "insession.api.collector.wait.max.requests");
    assertThat(sink.written).extracting(WeblogEvent::getEventId).containsOnly("ev-r1", "ev-r2");
    assertThat(registry.scrape())
        .contains("insession_api_read_your_writes_refused_total{reason=\"TOO_MANY_WAITING\"} 1.0");

    // a POST that does not wait is not limited
    assertThat(post(LookupApi.EVENTS_PATH, productView("ev-x", "s-x")).statusCode()).isEqualTo(202);

    view.arrive(TestLists.list("r1", "s-1", "i-1"));
    view.arrive(TestLists.list("r2", "s-2", "i-2"));
    assertThat(first.join().statusCode()).isEqualTo(202);
    assertThat(second.join().statusCode()).isEqualTo(202);
    await().until(() -> fresh.waiting() == 0);

    // the slots are free again
    final HttpResponse<String> again = post(waitPath(1), productView("ev-r3", "s-3"));
    assertThat(again.statusCode()).isEqualTo(202);
    assertThat(json(again).get("pending").toString()).isEqualTo("[\"ev-r3\"]");
  }

  @Test
  void shouldAnswerEveryWaitingRequestWhenTheApiCloses() throws Exception {
    start(1000);
    final int requests = 2 * THREADS;
    final List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      answers.add(postAsync(WAIT_LONG, productView("ev-r" + i, "s-" + i)));
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> fresh.waiting() == requests);
    view.arrive(TestLists.list("r0", "s-0", "i-0"));
    await().until(() -> fresh.waiting() == requests - 1);

    api.close();

    assertThat(fresh.waiting()).isZero();
    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    assertThat(json(answers.get(0).join()).get("recommendations")).hasSize(1);
    for (int i = 1; i < requests; i++) {
      final HttpResponse<String> answer = answers.get(i).join();
      assertThat(answer.statusCode()).isEqualTo(202);
      final JsonNode body = json(answer);
      assertThat(body.get("accepted").asInt()).isEqualTo(1);
      assertThat(body.get("recommendations")).isEmpty();
      assertThat(body.get("pending").toString()).isEqualTo("[\"ev-r" + i + "\"]");
    }
  }

  @Test
  void shouldRefuseNewWaitsWith503OnceShutdownBegan() {
    start(1000);
    final CompletableFuture<HttpResponse<String>> waiting =
        postAsync(WAIT_LONG, productView("ev-r1", "s-1"));
    await().atMost(Duration.ofSeconds(30)).until(() -> fresh.waiting() == 1);

    assertThat(fresh.finishWaiting(Duration.ofSeconds(30))).isZero();

    assertThat(json(waiting.join()).get("pending").toString()).isEqualTo("[\"ev-r1\"]");
    final HttpResponse<String> refused = post(WAIT_LONG, productView("ev-r2", "s-2"));
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.headers().firstValue("Retry-After")).contains("1");
    assertThat(json(refused).get("code").asText()).isEqualTo("SHUTTING_DOWN");
    assertThat(sink.written).extracting(WeblogEvent::getEventId).containsOnly("ev-r1");
  }

  private void start(final int maxWaiting) {
    fresh = new ReadYourWrites(view, maxWaiting);
    api =
        LookupApi.start(
            new StubSource(),
            new EventCollector(sink, 10, Clock.systemUTC()),
            fresh,
            PushSettings.defaults(),
            HttpLimits.defaults().withMaxThreads(THREADS),
            HttpSecurity.none(),
            ApiBinding.anyHost(0),
            registry,
            null,
            FallbackLists.NONE,
            null);
  }

  private static String waitPath(final long ms) {
    return LookupApi.EVENTS_PATH + "?" + ReadYourWrites.WAIT_PARAM + "=" + ms;
  }

  private static String productView(final String eventId, final String sessionId) {
    return """
        {"eventId": "%s", "sessionId": "%s", "eventType": "PRODUCT_VIEW", "itemId": "i-1"}
        """
        .formatted(eventId, sessionId);
  }

  private HttpRequest request(final String path, final String json) {
    return HttpRequest.newBuilder(URI.create("http://localhost:" + api.port() + path))
        .timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json))
        .build();
  }

  private CompletableFuture<HttpResponse<String>> postAsync(final String path, final String json) {
    return client.sendAsync(request(path, json), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(final String path, final String json) {
    return postAsync(path, json).join();
  }

  private HttpResponse<String> get(final String path) {
    try {
      return client.send(
          HttpRequest.newBuilder(URI.create("http://localhost:" + api.port() + path))
              .timeout(Duration.ofSeconds(60))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static JsonNode json(final HttpResponse<String> response) {
    try {
      return MAPPER.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Records what is written; {@code onWrite} plays the stream where a test needs it. */
  private static final class RecordingSink implements EventSink {
    final List<WeblogEvent> written = new CopyOnWriteArrayList<>();
    volatile Consumer<List<WeblogEvent>> onWrite = events -> {};

    @Override
    public void write(final List<WeblogEvent> events) {
      written.addAll(events);
      onWrite.accept(events);
    }

    @Override
    public void close() {
      // nothing held
    }
  }
}
