package io.insession.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.insession.config.InSessionConfig;
import io.insession.kafka.TopicSetup;
import io.insession.metrics.PrometheusMetrics;
import io.insession.runtime.InSessionTopics;
import io.insession.runtime.LookupSettings;
import io.insession.runtime.RecommenderStreams;
import io.insession.runtime.StreamsRunner;
import io.insession.schemas.RecommendationList;
import io.insession.scoring.SessionScorer;
import io.insession.testing.CommittedLists;
import io.insession.testing.HttpJson;
import io.insession.testing.KafkaTestCluster;
import io.insession.testing.TestModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Read-your-writes on a real broker with the real topology: a {@code POST /v1/events?wait_ms=N}
 * answers with the list each of its events triggered, and that list is the one the recommendations
 * topic gets (read_committed), field for field; a GET with {@code isolation=read_uncommitted} sees
 * it too.
 */
class ReadYourWritesIT {

  @RegisterExtension static final KafkaTestCluster KAFKA = new KafkaTestCluster();

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path stateDir;

  @Test
  void shouldAnswerAPostWithTheListsItsEventsTriggeredAsTheTopicGetsThem() throws Exception {
    final InSessionConfig config = config();
    TopicSetup.ensureTopics(config, InSessionTopics.specs(config), TIMEOUT);
    try (SessionScorer scorer = TestModels.tinyGruScorer();
        StreamsRunner streams = RecommenderStreams.create(config, scorer);
        LookupApi api =
            LookupApi.start(
                LookupSettings.from(config).withPort(0), PrometheusMetrics.newRegistry());
        CommittedLists committed = new CommittedLists(config)) {
      streams.start();
      assertThat(streams.awaitRunning(TIMEOUT)).isTrue();
      final HttpPost http = new HttpPost(api.port());
      final String wait = LookupApi.EVENTS_PATH + "?" + ReadYourWrites.WAIT_PARAM + "=10000";
      // the stream's first transaction can take longer than one wait on a busy machine: warm-up
      // events of another session until one is answered with its list
      final AtomicInteger warmUps = new AtomicInteger();
      await()
          .atMost(TIMEOUT)
          .until(
              () ->
                  http.post(
                          wait,
                          """
                          {"eventId": "warm-%d", "sessionId": "warm", "eventType": "PRODUCT_VIEW",
                           "itemId": "%s"}
                          """
                              .formatted(warmUps.incrementAndGet(), TestModels.tinyItemId(1)))
                      .body()
                      .get("pending")
                      .isEmpty());

      final HttpJson.Answer first =
          http.post(
              wait,
              """
              {"eventId": "e-1", "sessionId": "s-1", "eventType": "PRODUCT_VIEW", "itemId": "%s"}
              """
                  .formatted(TestModels.tinyItemId(3)));
      assertThat(first.status()).isEqualTo(202);
      assertThat(first.body().get("accepted").asInt()).isEqualTo(1);
      assertThat(first.body().get("pending")).isEmpty();
      assertThat(first.body().get("recommendations")).hasSize(1);
      assertThat(first.body().get("recommendations").get(0).get("triggerEventId").asText())
          .isEqualTo("e-1");

      // a search keeps the session alive and triggers no list: nothing is waited for it
      final HttpJson.Answer second =
          http.post(
              wait,
              """
              [{"eventId": "e-2", "sessionId": "s-1", "eventType": "PRODUCT_VIEW", "itemId": "%s"},
               {"eventId": "e-3", "sessionId": "s-1", "eventType": "SEARCH"},
               {"eventId": "e-4", "sessionId": "s-2", "eventType": "ADD_TO_CART", "itemId": "%s"}]
              """
                  .formatted(TestModels.tinyItemId(5), TestModels.tinyItemId(8)));
      assertThat(second.status()).isEqualTo(202);
      assertThat(second.body().get("accepted").asInt()).isEqualTo(3);
      assertThat(second.body().get("pending")).isEmpty();
      assertThat(second.body().get("recommendations"))
          .extracting(list -> list.get("triggerEventId").asText())
          .containsExactly("e-2", "e-4");

      await().atMost(TIMEOUT).until(() -> committed.poll().size() >= 3 + warmUps.get());
      final Map<String, JsonNode> onTheTopic = new HashMap<>();
      for (final RecommendationList list : committed.poll()) {
        if (!list.getSessionId().equals("warm")) {
          onTheTopic.put(
              list.getTriggerEventId(), MAPPER.readTree(RecommendationView.toJson(list)));
        }
      }
      assertThat(onTheTopic).containsOnlyKeys("e-1", "e-2", "e-4");
      for (final JsonNode answered :
          List.of(
              first.body().get("recommendations").get(0),
              second.body().get("recommendations").get(0),
              second.body().get("recommendations").get(1))) {
        assertThat(answered)
            .as("the list the topic got")
            .isEqualTo(onTheTopic.get(answered.get("triggerEventId").asText()));
      }

      final HttpJson get = new HttpJson(api.port());
      final HttpJson.Answer fresh =
          get.get("/v1/sessions/s-1/recommendations?isolation=read_uncommitted");
      assertThat(fresh.status()).isEqualTo(200);
      assertThat(fresh.body()).isEqualTo(onTheTopic.get("e-2"));
    }
  }

  @Test
  void shouldRefuseAWaitOrAnIsolationItDoesNotKnowWithoutWritingAnything() {
    final InSessionConfig config = config();
    TopicSetup.ensureTopics(config, InSessionTopics.specs(config), TIMEOUT);
    try (LookupApi api =
        LookupApi.start(LookupSettings.from(config).withPort(0), PrometheusMetrics.newRegistry())) {
      final HttpPost http = new HttpPost(api.port());
      final String event =
          """
          {"eventId": "e-1", "sessionId": "s-1", "eventType": "PRODUCT_VIEW", "itemId": "i-1"}
          """;
      for (final String wait : List.of("0", "10001", "soon")) {
        final HttpJson.Answer refused =
            http.post(LookupApi.EVENTS_PATH + "?" + ReadYourWrites.WAIT_PARAM + "=" + wait, event);
        assertThat(refused.status()).as(wait).isEqualTo(400);
        assertThat(refused.body().get("error").asText()).contains(ReadYourWrites.WAIT_PARAM);
      }
      final HttpJson.Answer dirty =
          new HttpJson(api.port()).get("/v1/sessions/s-1/recommendations?isolation=dirty");
      assertThat(dirty.status()).isEqualTo(400);
      assertThat(dirty.body().get("error").asText()).contains("read_uncommitted");
    }
  }

  private InSessionConfig config() {
    final Map<String, String> settings = new HashMap<>();
    settings.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
    settings.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    settings.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "6000");
    settings.put(InSessionConfig.APPLICATION_ID, KAFKA.uniqueName("ryw"));
    settings.put(InSessionConfig.WEBLOG_TOPIC, KAFKA.uniqueName("weblog"));
    settings.put(InSessionConfig.DEAD_LETTER_TOPIC, KAFKA.uniqueName("dlq"));
    settings.put(InSessionConfig.RECOMMENDATIONS_TOPIC, KAFKA.uniqueName("recommendations"));
    settings.put(InSessionConfig.DEPLOYMENTS_TOPIC, KAFKA.uniqueName("deployments"));
    settings.put(InSessionConfig.TOPIC_PARTITIONS, "1");
    // authentication has its own tests (ApiSecurityIT)
    settings.put(InSessionConfig.API_AUTH, InSessionConfig.AUTH_NONE);
    settings.put(InSessionConfig.API_METRICS_PORT, "0");
    settings.put(InSessionConfig.API_COLLECTOR_ENABLED, "true");
    settings.put(InSessionConfig.MODEL_BUNDLE, TestModels.tinyBundleDir().toString());
    return InSessionConfig.of(settings);
  }
}
