package io.insession.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.insession.config.InSessionConfig;
import io.insession.metrics.PrometheusMetrics;
import io.insession.schemas.EventType;
import io.insession.schemas.WeblogEvent;
import io.insession.session.EventLimits;
import io.insession.testing.HttpJson;
import io.insession.testing.HttpText;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** POST /v1/events over HTTP on a stub sink: status codes, bodies, all-or-nothing. */
class EventCollectorApiTest {

  private static final Instant NOW = Instant.parse("2026-11-23T10:15:30.123Z");

  private final RecordingSink sink = new RecordingSink();
  private LookupApi api;
  private HttpPost http;

  @BeforeEach
  void start() {
    api =
        LookupApi.start(
            new StubSource(),
            new EventCollector(sink, 2, Clock.fixed(NOW, ZoneOffset.UTC)),
            PushSettings.defaults(),
            0,
            PrometheusMetrics.newRegistry());
    http = new HttpPost(api.port());
  }

  @AfterEach
  void stop() {
    api.close();
  }

  @Test
  void shouldAcceptOneEventWith202AndItsGeneratedId() {
    final HttpJson.Answer answer =
        http.post(
            LookupApi.EVENTS_PATH,
            "{\"sessionId\": \"s-1\", \"eventType\": \"PRODUCT_VIEW\", \"itemId\": \"i-1\"}");

    assertThat(answer.status()).isEqualTo(202);
    assertThat(answer.contentType()).startsWith("application/json");
    assertThat(answer.body().get("accepted").asInt()).isEqualTo(1);
    final String id = answer.body().get("eventIds").get(0).asText();
    assertThat(id).matches("[0-9a-f-]{36}");
    assertThat(sink.written).hasSize(1);
    assertThat(sink.written.get(0).getEventId()).isEqualTo(id);
    assertThat(sink.written.get(0).getEventTime()).isEqualTo(NOW);
    assertThat(api.collectsEvents()).isTrue();
  }

  @Test
  void shouldAcceptABatchInOrder() {
    final HttpJson.Answer answer =
        http.post(
            LookupApi.EVENTS_PATH,
            """
            [{"eventId": "e-1", "sessionId": "s-1", "eventType": "PAGE_VIEW"},
             {"eventId": "e-2", "sessionId": "s-2", "eventType": "SEARCH"}]
            """);

    assertThat(answer.status()).isEqualTo(202);
    assertThat(answer.body().get("accepted").asInt()).isEqualTo(2);
    assertThat(answer.body().get("eventIds").toString()).isEqualTo("[\"e-1\",\"e-2\"]");
    assertThat(sink.written).extracting(WeblogEvent::getEventId).containsExactly("e-1", "e-2");
  }

  @Test
  void shouldAnswer400WithOneErrorPerBadEventAndWriteNothing() {
    final HttpJson.Answer answer =
        http.post(
            LookupApi.EVENTS_PATH,
            """
            [{"sessionId": "s-1", "eventType": "PAGE_VIEW"},
             {"sessionId": "s-1", "eventType": "CLICK"}]
            """);

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.contentType()).startsWith("application/json");
    final JsonNode body = answer.body();
    assertThat(body.get("error").asText())
        .isEqualTo("1 of 2 events are invalid; none was accepted");
    assertThat(body.get("errors")).hasSize(1);
    assertThat(body.get("errors").get(0).get("index").asInt()).isEqualTo(1);
    assertThat(body.get("errors").get(0).get("field").asText()).isEqualTo("eventType");
    assertThat(body.get("errors").get(0).get("reason").asText()).contains("PURCHASE");
    assertThat(body.get("errors").get(0).get("allowed")).hasSize(7);
    assertThat(sink.written).as("all or nothing").isEmpty();
  }

  @Test
  void shouldAnswer400ForABodyThatIsNotJsonOrTooLarge() {
    final HttpJson.Answer notJson = http.post(LookupApi.EVENTS_PATH, "sessionId=s-1");
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.body().get("error").asText()).startsWith("body is not JSON");
    assertThat(notJson.body().get("errors")).isEmpty();

    final String event = "{\"sessionId\": \"s\", \"eventType\": \"SEARCH\"}";
    final HttpJson.Answer tooMany =
        http.post(LookupApi.EVENTS_PATH, "[" + event + "," + event + "," + event + "]");
    assertThat(tooMany.status()).isEqualTo(400);
    assertThat(tooMany.body().get("error").asText())
        .isEqualTo("too many events: 3 in one request, at most 2 are allowed");
    assertThat(sink.written).isEmpty();
  }

  @Test
  void shouldAnswer503WhenKafkaDoesNotAcknowledge() {
    sink.fail = true;

    final HttpJson.Answer answer =
        http.post(LookupApi.EVENTS_PATH, "{\"sessionId\": \"s-1\", \"eventType\": \"SEARCH\"}");

    assertThat(answer.status()).isEqualTo(503);
    assertThat(answer.contentType()).startsWith("application/json");
    assertThat(answer.body().get("error").asText()).contains("within 10 ms");
    assertThat(answer.body().get("code").asText()).isEqualTo("NOT_ACKNOWLEDGED");
    assertThat(answer.body().get("retryable").asBoolean()).isTrue();
  }

  @Test
  void shouldAnswer400NotRetryableWhenKafkaRefusesTheEventsThemselves() {
    sink.refuse = true;

    final HttpJson.Answer answer =
        http.post(LookupApi.EVENTS_PATH, "{\"sessionId\": \"s-1\", \"eventType\": \"SEARCH\"}");

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body().get("code").asText()).isEqualTo("REFUSED_BY_KAFKA");
    assertThat(answer.body().get("retryable").asBoolean()).isFalse();
    assertThat(answer.body().get("error").asText()).contains("RecordTooLarge");
  }

  @Test
  void shouldAnswer400ForEventTimesTheStreamWouldRefuseOrThatOverflow() {
    final String[] times = {
      // just past the stream's window (it would dead-letter the event), and past the broker's
      "\"" + NOW.plusMillis(EventLimits.defaults().maxFutureMs() + 1) + "\"",
      "\"" + NOW.plusMillis(60L * 60 * 1000 + 1) + "\"",
      "\"" + NOW.minusMillis(EventLimits.defaults().maxPastMs() + 1) + "\"", // too old
      "\"+1000000000-01-01T00:00:00Z\"", // year 1,000,000,000: no epoch millis
      "\"+1000000001-01-01T00:00:00Z\"", // beyond Instant
      String.valueOf(Long.MAX_VALUE),
      "\"99999999999999999999\"", // more digits than a long
      "\"1969-12-31T23:59:59Z\"",
      "-1"
    };
    for (final String time : times) {
      final HttpJson.Answer answer =
          http.post(
              LookupApi.EVENTS_PATH,
              "{\"sessionId\": \"s-1\", \"eventType\": \"SEARCH\", \"eventTime\": " + time + "}");

      assertThat(answer.status()).as(time).isEqualTo(400);
      assertThat(answer.body().get("code").asText()).isEqualTo("INVALID_EVENTS");
      assertThat(answer.body().get("retryable").asBoolean()).isFalse();
      final JsonNode error = answer.body().get("errors").get(0);
      assertThat(error.get("index").asInt()).isZero();
      assertThat(error.get("field").asText()).as(time).isEqualTo("eventTime");
    }
    assertThat(sink.written).isEmpty();
  }

  @Test
  void shouldAcceptAnEventTimeJustInsideTheStreamsWindow() {
    final long maxFutureMs = EventLimits.defaults().maxFutureMs();
    final HttpJson.Answer answer =
        http.post(
            LookupApi.EVENTS_PATH,
            "{\"sessionId\": \"s-1\", \"eventType\": \"SEARCH\", \"eventTime\": \""
                + NOW.plusMillis(maxFutureMs)
                + "\"}");

    assertThat(answer.status()).isEqualTo(202);
    assertThat(sink.written.get(0).getEventTime()).isEqualTo(NOW.plusMillis(maxFutureMs));
  }

  @Test
  void shouldAnswer400ForASessionIdOverTheLimitAnd413ForABodyOverTheLimit() {
    final RecordingSink small = new RecordingSink();
    try (LookupApi limited =
        LookupApi.start(
            new StubSource(),
            new EventCollector(
                small,
                10,
                EventLimits.from(
                    InSessionConfig.of(Map.of(InSessionConfig.EVENT_MAX_SESSION_ID_CHARS, "16"))),
                Clock.fixed(NOW, ZoneOffset.UTC)),
            PushSettings.defaults(),
            new HttpLimits(1024, 16, Duration.ofSeconds(30)),
            0,
            PrometheusMetrics.newRegistry())) {
      final HttpPost post = new HttpPost(limited.port());

      final HttpJson.Answer longId =
          post.post(
              LookupApi.EVENTS_PATH,
              "{\"sessionId\": \"" + "s".repeat(17) + "\", \"eventType\": \"SEARCH\"}");
      assertThat(longId.status()).isEqualTo(400);
      assertThat(longId.body().get("errors").get(0).get("field").asText()).isEqualTo("sessionId");
      assertThat(longId.body().get("errors").get(0).get("reason").asText())
          .isEqualTo("sessionId is 17 characters, more than 16");

      final HttpJson.Answer big =
          post.post(
              LookupApi.EVENTS_PATH,
              "{\"sessionId\": \"s\", \"eventType\": \"SEARCH\", \"userId\": \""
                  + "u".repeat(2000)
                  + "\"}");
      assertThat(big.status()).isEqualTo(413);
      assertThat(big.body().get("code").asText()).isEqualTo("CONTENT_TOO_LARGE");
      assertThat(big.body().get("retryable").asBoolean()).isFalse();

      final HttpJson.Answer fits =
          post.post(
              LookupApi.EVENTS_PATH,
              "{\"sessionId\": \"" + "s".repeat(16) + "\", \"eventType\": \"SEARCH\"}");
      assertThat(fits.status()).isEqualTo(202);
      assertThat(small.written)
          .extracting(WeblogEvent::getSessionId)
          .containsExactly("s".repeat(16));
    }
  }

  @Test
  void shouldCountAcceptedAndRefusedEvents() {
    http.post(LookupApi.EVENTS_PATH, "{\"sessionId\": \"s-1\", \"eventType\": \"SEARCH\"}");
    http.post(LookupApi.EVENTS_PATH, "{\"sessionId\": \"s-1\", \"eventType\": \"NOPE\"}");

    assertThat(new HttpText(api.metricsPort()).get("/metrics").body())
        .contains("insession_collector_events_accepted_total 1.0")
        .contains("insession_collector_requests_rejected_total 1.0")
        .contains("insession_collector_requests_unacknowledged_total 0.0");
  }

  @Test
  void shouldAnswer404WhenTheInstanceCollectsNothingAndCloseTheSinkOnce() {
    try (LookupApi plain = LookupApi.start(new StubSource(), 0)) {
      final HttpJson.Answer answer =
          new HttpPost(plain.port())
              .post(LookupApi.EVENTS_PATH, "{\"sessionId\": \"s\", \"eventType\": \"SEARCH\"}");
      assertThat(answer.status()).isEqualTo(404);
      assertThat(answer.body().get("error").asText()).contains("collects no events");
      assertThat(plain.collectsEvents()).isFalse();
    }
    api.close();
    api.close();
    assertThat(sink.closeCount).isEqualTo(1);
  }

  @Test
  void shouldRefuseTheForgetControlRecordFromVisitors() {
    final HttpJson.Answer answer =
        http.post(
            LookupApi.EVENTS_PATH, "{\"sessionId\": \"s-1\", \"eventType\": \"FORGET_SESSION\"}");

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body().get("errors").get(0).get("field").asText()).isEqualTo("eventType");
    assertThat(sink.written).isEmpty();
  }

  @Test
  void shouldForgetASessionWith202ByWritingItsControlRecordAndDroppingItsCachedList() {
    final StubSource source = new StubSource();
    source.arrive(TestLists.list("r-1", "s-1", "i-1"));
    source.arrive(TestLists.list("r-2", "s-2", "i-2"));
    try (LookupApi forgetting =
        LookupApi.start(
            source,
            new EventCollector(sink, 2, Clock.fixed(NOW, ZoneOffset.UTC)),
            PushSettings.defaults(),
            0,
            PrometheusMetrics.newRegistry())) {
      final HttpJson client = new HttpJson(forgetting.port());

      final HttpJson.Answer answer = client.delete("/v1/sessions/s-1");

      assertThat(answer.status()).isEqualTo(202);
      assertThat(answer.body().get("sessionId").asText()).isEqualTo("s-1");
      assertThat(sink.written).hasSize(1);
      final WeblogEvent control = sink.written.get(0);
      assertThat(control.getEventType()).isEqualTo(EventType.FORGET_SESSION);
      assertThat(control.getSessionId()).isEqualTo("s-1");
      assertThat(control.getEventTime()).isEqualTo(NOW);
      assertThat(control.getItemId()).isNull();
      assertThat(answer.body().get("forgetEventId").asText()).isEqualTo(control.getEventId());
      assertThat(client.get("/v1/sessions/s-1/recommendations").status()).isEqualTo(404);
      assertThat(client.get("/v1/sessions/s-2/recommendations").status()).isEqualTo(200);
      assertThat(client.delete("/v1/sessions/unknown").status()).isEqualTo(202);
      assertThat(client.delete("/v1/sessions/" + "x".repeat(300)).status()).isEqualTo(400);
      assertThat(sink.written).hasSize(2);
      sink.fail = true;
      final HttpJson.Answer unacknowledged = client.delete("/v1/sessions/s-2");
      assertThat(unacknowledged.status()).isEqualTo(503);
      assertThat(unacknowledged.body().get("code").asText()).isEqualTo("NOT_ACKNOWLEDGED");
      assertThat(client.get("/v1/sessions/s-2/recommendations").status())
          .as("kept until the request is acknowledged")
          .isEqualTo(200);
    }
    try (LookupApi plain = LookupApi.start(new StubSource(), 0)) {
      final HttpJson.Answer answer = new HttpJson(plain.port()).delete("/v1/sessions/s-1");
      assertThat(answer.status()).isEqualTo(404);
      assertThat(answer.body().get("code").asText()).isEqualTo("NO_COLLECTOR");
    }
  }

  /** Remembers what it was given; fails like an unacknowledged write when told to. */
  private static final class RecordingSink implements EventSink {
    final List<WeblogEvent> written = new CopyOnWriteArrayList<>();
    volatile boolean fail;
    volatile boolean refuse;
    volatile int closeCount;

    @Override
    public void write(final List<WeblogEvent> events) {
      if (refuse) {
        throw new EventsRefusedException("Kafka refused the events: RecordTooLargeException", null);
      }
      if (fail) {
        throw new NotAcknowledgedException(
            "Kafka did not acknowledge the events within 10 ms", null);
      }
      written.addAll(events);
    }

    @Override
    public void close() {
      closeCount++;
    }
  }
}
