package io.insession.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.insession.api.LookupApi;
import io.insession.config.InSessionConfig;
import io.insession.kafka.Topics;
import io.insession.metrics.PrometheusMetrics;
import io.insession.scoring.SessionScorer;
import io.insession.testing.HttpJson;
import io.insession.testing.KafkaTestCluster;
import io.insession.testing.TestModels;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readiness tells the truth in a broker outage: both {@code /ready} endpoints (streams app and
 * lookup API) answer 200 while the broker runs and 503 with the reason once it is stopped, while
 * {@code /health} stays 200 (an outage must not restart the pods) and a POST of events gets a
 * retryable 503. The broker of this class is stopped by its only test.
 */
class ReadinessIT {

  @RegisterExtension static final KafkaTestCluster KAFKA = new KafkaTestCluster();

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path stateDir;

  @Test
  void shouldAnswerNotReadyWithTheReasonWhileTheBrokerIsDown() throws Exception {
    final InSessionConfig config = config();
    final Topics topics = Topics.from(config);
    KAFKA.createTopics(
        topics.weblog().name(), topics.deadLetter().name(), topics.recommendations().name());
    KAFKA.createGlobalStoreTopics(config);
    final PrometheusMeterRegistry registry = PrometheusMetrics.newRegistry();

    try (SessionScorer scorer = TestModels.tinyGruScorer();
        StreamsRunner streams =
            RecommenderStreams.create(config, scorer, StreamsOperations.topologyMetrics(registry));
        StreamsOperations operations =
            StreamsOperations.start(config, registry, streams, scorer.model());
        LookupApi api = LookupApi.start(LookupSettings.from(config))) {
      final HttpJson app = new HttpJson(operations.port());
      final HttpJson lookup = new HttpJson(api.port());
      streams.start();
      await().atMost(TIMEOUT).until(() -> app.get("/ready").status() == 200);
      await().atMost(TIMEOUT).until(() -> lookup.get("/ready").status() == 200);
      assertThat(app.get("/ready").body().has("reason")).isFalse();

      KAFKA.stopBroker();

      await()
          .atMost(TIMEOUT)
          .untilAsserted(
              () -> {
                final HttpJson.Answer ready = app.get("/ready");
                assertThat(ready.status()).isEqualTo(503);
                assertThat(ready.body().get("status").asText()).isEqualTo("NOT_READY");
                assertThat(ready.body().get("reason").asText()).startsWith("brokers unreachable");
              });
      await()
          .atMost(TIMEOUT)
          .untilAsserted(
              () -> {
                final HttpJson.Answer ready = lookup.get("/ready");
                assertThat(ready.status()).isEqualTo(503);
                assertThat(ready.body().get("waitingFor").asText())
                    .startsWith("brokers unreachable");
              });
      assertThat(app.get("/health").status())
          .as("an outage must not restart the pod")
          .isEqualTo(200);
      assertThat(lookup.get("/health").status()).isEqualTo(200);

      final JsonNode post = post(api.port(), "{\"sessionId\": \"s-1\", \"eventType\": \"SEARCH\"}");
      assertThat(post.get("code").asText()).isEqualTo("NOT_ACKNOWLEDGED");
      assertThat(post.get("retryable").asBoolean()).isTrue();
    }
  }

  private InSessionConfig config() {
    final Map<String, String> settings = new HashMap<>();
    settings.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
    settings.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    settings.put(InSessionConfig.APPLICATION_ID, KAFKA.uniqueName("ready-app"));
    settings.put(InSessionConfig.WEBLOG_TOPIC, KAFKA.uniqueName("weblog"));
    settings.put(InSessionConfig.DEAD_LETTER_TOPIC, KAFKA.uniqueName("dlq"));
    settings.put(InSessionConfig.RECOMMENDATIONS_TOPIC, KAFKA.uniqueName("recommendations"));
    settings.put(InSessionConfig.METRICS_PORT, "0");
    settings.put(InSessionConfig.API_PORT, "0");
    settings.put(InSessionConfig.API_METRICS_PORT, "0");
    // authentication has its own tests (ApiSecurityIT)
    settings.put(InSessionConfig.API_AUTH, InSessionConfig.AUTH_NONE);
    settings.put(InSessionConfig.METRICS_LAG_INTERVAL_MS, "200");
    settings.put(InSessionConfig.METRICS_READY_BROKER_GRACE_MS, "1000");
    settings.put(InSessionConfig.API_READY_BROKER_GRACE_MS, "1000");
    settings.put(InSessionConfig.API_COLLECTOR_ACK_TIMEOUT_MS, "1000");
    // clients give up on the stopped broker quickly, so the test closes them quickly
    settings.put("default.api.timeout.ms", "2000");
    settings.put("request.timeout.ms", "1000");
    return InSessionConfig.of(settings);
  }

  /** POSTs events and returns the JSON answer, whatever its status. */
  private static JsonNode post(final int port, final String json)
      throws IOException, InterruptedException {
    final HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/events"))
                    .timeout(TIMEOUT)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(503);
    return new ObjectMapper().readTree(response.body());
  }
}
