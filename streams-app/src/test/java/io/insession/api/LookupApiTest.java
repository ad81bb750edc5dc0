package io.insession.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insession.metrics.PrometheusMetrics;
import io.insession.testing.HttpJson;
import io.insession.testing.HttpText;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP layer on a stub source: routes, status codes and JSON bodies. */
class LookupApiTest {

  private final StubSource source = new StubSource();
  private LookupApi api;
  private HttpJson http;

  @BeforeEach
  void start() {
    api = LookupApi.start(source, 0);
    http = new HttpJson(api.port());
  }

  @AfterEach
  void stop() {
    api.close();
  }

  @Test
  void shouldServeTheLatestListAsJson() {
    source.lists.put("s-1", TestLists.list("r-1", "s-1", "i-7", "i-2"));

    final HttpJson.Answer answer = http.get("/v1/sessions/s-1/recommendations");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.contentType()).startsWith("application/json");
    assertThat(answer.body().get("recommendationId").asText()).isEqualTo("r-1");
    assertThat(answer.body().get("items").get(1).get("itemId").asText()).isEqualTo("i-2");
    assertThat(answer.body().get("items").get(1).get("rank").asInt()).isEqualTo(2);
    assertThat(answer.body().get("triggerEventTime").asText())
        .isEqualTo("2026-11-23T10:15:30.123Z");
  }

  @Test
  void shouldServeItsMetricsInThePrometheusTextFormat() {
    final HttpText.Answer answer = new HttpText(api.metricsPort()).get("/metrics");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.contentType()).isEqualTo(PrometheusMetrics.CONTENT_TYPE);
  }

  @Test
  void shouldAnswer404JsonForAnUnknownSession() {
    final HttpJson.Answer answer = http.get("/v1/sessions/nobody/recommendations");

    assertThat(answer.status()).isEqualTo(404);
    assertThat(answer.contentType()).startsWith("application/json");
    assertThat(answer.body().get("error").asText())
        .isEqualTo("no recommendations for session nobody");
    assertThat(answer.body().get("sessionId").asText()).isEqualTo("nobody");
  }

  @Test
  void shouldAnswer404JsonForAnUnknownPath() {
    final HttpJson.Answer answer = http.get("/v2/nothing");

    assertThat(answer.status()).isEqualTo(404);
    assertThat(answer.contentType()).startsWith("application/json");
    assertThat(answer.body().has("error")).isTrue();
  }

  @Test
  void shouldReportLivenessAndFailure() {
    assertThat(http.get("/health").status()).isEqualTo(200);
    assertThat(http.get("/health").body().get("status").asText()).isEqualTo("UP");

    source.alive = false;
    final HttpJson.Answer down = http.get("/health");
    assertThat(down.status()).isEqualTo(503);
    assertThat(down.body().get("status").asText()).isEqualTo("DOWN");
  }

  @Test
  void shouldSayWhatReadinessWaitsFor() {
    source.readiness = Readiness.catchingUp("catching up with topic recs", Map.of(0, 12L));

    final HttpJson.Answer waiting = http.get("/ready");
    assertThat(waiting.status()).isEqualTo(503);
    assertThat(waiting.contentType()).startsWith("application/json");
    assertThat(waiting.body().get("status").asText()).isEqualTo("NOT_READY");
    assertThat(waiting.body().get("waitingFor").asText()).contains("recs");
    assertThat(waiting.body().get("recordsBehind").get("0").asLong()).isEqualTo(12L);

    source.readiness = Readiness.caughtUp();
    assertThat(http.get("/ready").status()).isEqualTo(200);
  }

  @Test
  void shouldAnswer400ForASessionIdOverTheLimitOnBothGetRoutes() {
    final int max = HttpLimits.defaults().maxSessionIdChars();
    final String tooLong = "s".repeat(max + 1);

    for (final String path :
        List.of(
            "/v1/sessions/" + tooLong + "/recommendations",
            "/v1/sessions/" + tooLong + "/recommendations/stream")) {
      final HttpJson.Answer answer = http.get(path);
      assertThat(answer.status()).as(path).isEqualTo(400);
      assertThat(answer.body().get("code").asText()).isEqualTo("SESSION_ID_TOO_LONG");
      assertThat(answer.body().get("retryable").asBoolean()).isFalse();
      assertThat(answer.body().get("error").asText())
          .isEqualTo(
              "sessionId is " + (max + 1) + " characters long; at most " + max + " are allowed");
    }
    final HttpJson.Answer atTheLimit =
        http.get("/v1/sessions/" + "s".repeat(max) + "/recommendations");
    assertThat(atTheLimit.status()).isEqualTo(404);
    assertThat(atTheLimit.body().get("code").asText()).isEqualTo("NOT_FOUND");
  }

  @Test
  void shouldCloseAConnectionWhoseHeadersNeverEnd() throws IOException {
    try (LookupApi limited =
            LookupApi.start(
                new StubSource(),
                null,
                new PushSettings(10, Duration.ofMillis(50)),
                new HttpLimits(1024, 16, Duration.ofMillis(300)),
                0,
                PrometheusMetrics.newRegistry());
        Socket socket = new Socket("localhost", limited.port())) {
      final OutputStream out = socket.getOutputStream();
      out.write("GET /health HTTP/1.1\r\nHost: localhost\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      socket.setSoTimeout(100);
      final InputStream in = socket.getInputStream();

      // the server, not the client, ends the connection: read() sees the end of the stream
      await().atMost(Duration.ofSeconds(30)).until(() -> endOfStream(in));
    }
  }

  /** Whether the peer closed the stream; bytes (e.g. a 408 answer) are read past. */
  private static boolean endOfStream(final InputStream in) throws IOException {
    try {
      while (true) {
        if (in.read() < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true; // reset by the server
    }
  }

  @Test
  void shouldCloseTheSourceOnceWhenClosedTwice() {
    api.close();
    api.close();
    assertThat(source.closeCount).isEqualTo(1);
  }
}
