package io.insession.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.insession.avro.AvroSingleObjectSerde;
import io.insession.metrics.PrometheusMetrics;
import io.insession.schemas.RecommendationList;
import io.insession.testing.HttpJson;
import io.insession.testing.HttpText;
import io.insession.testing.KafkaTestCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The lookup API on a real broker: catch-up, latest-wins, bad records, live updates. */
class LookupApiIT {

  @RegisterExtension static final KafkaTestCluster KAFKA = new KafkaTestCluster();

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final AvroSingleObjectSerde<RecommendationList> SERDE =
      AvroSingleObjectSerde.forType(RecommendationList.class);

  @Test
  void shouldServeTheLatestListOfEachSessionAfterCatchingUp() {
    final String topic = KAFKA.uniqueName("recommendations");
    KAFKA.createTopic(topic, 2);
    try (KafkaProducer<String, byte[]> producer = transactionalProducer()) {
      producer.initTransactions();
      producer.beginTransaction();
      send(producer, topic, "s-a", SERDE.serialize(topic, TestLists.list("a-1", "s-a", "i-1")));
      send(producer, topic, "s-b", SERDE.serialize(topic, TestLists.list("b-1", "s-b", "i-5")));
      send(producer, topic, "s-bad", "not avro at all".getBytes(StandardCharsets.UTF_8));
      send(
          producer,
          topic,
          "s-a",
          SERDE.serialize(topic, TestLists.list("a-2", "s-a", "i-3", "i-4", "i-9")));
      producer.commitTransaction();
    }

    final LatestRecommendations latest = new LatestRecommendations(settings(topic));
    latest.start();
    try (LookupApi api = LookupApi.start(latest, 0)) {
      final HttpJson http = new HttpJson(api.port());
      await().atMost(TIMEOUT).until(() -> http.get("/ready").status() == 200);

      final HttpJson.Answer a = http.get("/v1/sessions/s-a/recommendations");
      assertThat(a.status()).isEqualTo(200);
      assertThat(a.contentType()).startsWith("application/json");
      final JsonNode listA = a.body();
      assertThat(listA.get("recommendationId").asText()).as("the later list wins").isEqualTo("a-2");
      assertThat(listA.get("sessionId").asText()).isEqualTo("s-a");
      assertThat(listA.get("items")).hasSize(3);
      assertThat(listA.get("items").get(0).get("itemId").asText()).isEqualTo("i-3");
      assertThat(listA.get("items").get(0).get("rank").asInt()).isEqualTo(1);
      assertThat(listA.get("items").get(2).get("itemId").asText()).isEqualTo("i-9");
      assertThat(listA.get("items").get(2).get("rank").asInt()).isEqualTo(3);
      assertThat(listA.get("items").get(0).get("score").floatValue()).isEqualTo(0.9f);
      assertThat(listA.get("modelName").asText()).isEqualTo("gru4rec");
      assertThat(listA.get("modelVersion").asText()).isEqualTo("2026-11-23.1");
      assertThat(listA.get("variant").asText()).isEqualTo("B");
      assertThat(listA.get("fallback").asBoolean()).isFalse();
      assertThat(listA.get("triggerEventId").asText()).isEqualTo("ev-a-2");
      assertThat(listA.get("triggerEventTime").asText()).isEqualTo("2026-11-23T10:15:30.123Z");
      assertThat(listA.get("emittedAt").asText()).isEqualTo("2026-11-23T10:15:30.140Z");

      final HttpJson.Answer b = http.get("/v1/sessions/s-b/recommendations");
      assertThat(b.status()).isEqualTo(200);
      assertThat(b.body().get("recommendationId").asText()).isEqualTo("b-1");
      assertThat(b.body().get("items").get(0).get("itemId").asText()).isEqualTo("i-5");

      final HttpJson.Answer bad = http.get("/v1/sessions/s-bad/recommendations");
      assertThat(bad.status()).as("the garbage record was skipped").isEqualTo(404);
      assertThat(latest.recordsSkipped()).isEqualTo(1);

      final HttpJson.Answer unknown = http.get("/v1/sessions/nobody/recommendations");
      assertThat(unknown.status()).isEqualTo(404);
      assertThat(unknown.contentType()).startsWith("application/json");
      assertThat(unknown.body().get("error").asText())
          .isEqualTo("no recommendations for session nobody");
      assertThat(unknown.body().get("sessionId").asText()).isEqualTo("nobody");

      final HttpJson.Answer health = http.get("/health");
      assertThat(health.status()).isEqualTo(200);
      assertThat(health.body().get("status").asText()).isEqualTo("UP");

      // after catching up, new lists keep coming in
      try (KafkaProducer<String, byte[]> producer = transactionalProducer()) {
        producer.initTransactions();
        producer.beginTransaction();
        send(producer, topic, "s-b", SERDE.serialize(topic, TestLists.list("b-2", "s-b", "i-8")));
        producer.commitTransaction();
      }
      await()
          .atMost(TIMEOUT)
          .until(
              () ->
                  http.get("/v1/sessions/s-b/recommendations")
                      .body()
                      .get("recommendationId")
                      .asText()
                      .equals("b-2"));
    }
  }

  @Test
  void shouldExposeItsConsumersClientMetricsAndItsCountsOnMetrics() {
    final String topic = KAFKA.uniqueName("recommendations");
    KAFKA.createTopic(topic, 1);
    try (KafkaProducer<String, byte[]> producer = transactionalProducer()) {
      producer.initTransactions();
      producer.beginTransaction();
      send(producer, topic, "s-a", SERDE.serialize(topic, TestLists.list("a-1", "s-a", "i-1")));
      send(producer, topic, "s-bad", "not avro at all".getBytes(StandardCharsets.UTF_8));
      producer.commitTransaction();
    }

    try (LookupApi api = LookupApi.start(settings(topic), PrometheusMetrics.newRegistry())) {
      final HttpText http = new HttpText(api.metricsPort());
      await()
          .atMost(TIMEOUT)
          .untilAsserted(
              () ->
                  assertThat(http.get("/metrics").body())
                      .contains("insession_lookup_records_read_total 2.0")
                      .contains("insession_lookup_records_skipped_total 1.0")
                      .contains("insession_lookup_cached_sessions 1.0")
                      .contains("kafka_consumer_fetch_manager_records_consumed_total{"));
      assertThat(http.get("/metrics").contentType()).isEqualTo(PrometheusMetrics.CONTENT_TYPE);
    }
  }

  @Test
  void shouldNotBeReadyUntilTheTopicExists() {
    final String topic = KAFKA.uniqueName("recommendations-later");
    try (LookupApi api = LookupApi.start(settings(topic))) {
      final HttpJson http = new HttpJson(api.port());
      await()
          .atMost(TIMEOUT)
          .until(() -> http.get("/ready").body().get("waitingFor").asText().contains("to exist"));
      final HttpJson.Answer waiting = http.get("/ready");
      assertThat(waiting.status()).isEqualTo(503);
      assertThat(waiting.contentType()).startsWith("application/json");
      assertThat(http.get("/health").status()).isEqualTo(200);

      KAFKA.createTopics(topic);
      await().atMost(TIMEOUT).until(() -> http.get("/ready").status() == 200);
    }
  }

  private static LookupApiSettings settings(final String topic) {
    return LookupApiSettings.of(KAFKA.bootstrapServers(), topic)
        .withPort(0)
        .withKafkaProperties(Map.of("client.id", topic + "-reader"));
  }

  private static KafkaProducer<String, byte[]> transactionalProducer() {
    final Map<String, Object> props = KAFKA.producerProps();
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, KAFKA.uniqueName("lookup-api-it-tx"));
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  private static void send(
      final KafkaProducer<String, byte[]> producer,
      final String topic,
      final String key,
      final byte[] value) {
    producer.send(new ProducerRecord<>(topic, key, value));
  }
}
