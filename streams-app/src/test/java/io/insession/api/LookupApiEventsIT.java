package io.insession.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.insession.avro.AvroSingleObjectSerde;
import io.insession.config.InSessionConfig;
import io.insession.kafka.Topic;
import io.insession.kafka.Topics;
import io.insession.metrics.PrometheusMetrics;
import io.insession.schemas.EventType;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.WeblogEvent;
import io.insession.testing.HttpJson;
import io.insession.testing.KafkaTestCluster;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The event collector and the push stream on a real broker. */
class LookupApiEventsIT {

  @RegisterExtension static final KafkaTestCluster KAFKA = new KafkaTestCluster();

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final AvroSingleObjectSerde<RecommendationList> LISTS =
      AvroSingleObjectSerde.forType(RecommendationList.class);

  @Test
  void shouldProduceCollectedEventsToTheWeblogTopicKeyedBySessionAtTheirEventTime() {
    final Topic<String, WeblogEvent> weblog = weblogTopic();
    final String recommendations = KAFKA.uniqueName("recommendations");
    KAFKA.createTopic(weblog.name(), 2);
    KAFKA.createTopic(recommendations, 1);

    try (LookupApi api = LookupApi.start(settings(recommendations, weblog), registry());
        KafkaConsumer<String, byte[]> consumer = weblogConsumer(weblog.name())) {
      final HttpPost http = new HttpPost(api.port());

      final HttpJson.Answer single =
          http.post(
              LookupApi.EVENTS_PATH,
              """
              {"eventId": "e-1", "sessionId": "s-1", "eventType": "PRODUCT_VIEW", "itemId": "i-1",
               "eventTime": "2026-11-23T10:15:30.123Z", "attributes": {"page": "/p/1"}}
              """);
      assertThat(single.status()).isEqualTo(202);
      assertThat(single.body().get("eventIds").get(0).asText()).isEqualTo("e-1");

      final HttpJson.Answer bad =
          http.post(
              LookupApi.EVENTS_PATH,
              """
              [{"eventId": "never-1", "sessionId": "s-2", "eventType": "SEARCH"},
               {"eventId": "never-2", "sessionId": "s-2", "eventType": "ADD_TO_CART"}]
              """);
      assertThat(bad.status()).isEqualTo(400);
      assertThat(bad.body().get("errors").get(0).get("index").asInt()).isEqualTo(1);
      assertThat(bad.body().get("errors").get(0).get("reason").asText())
          .isEqualTo("ADD_TO_CART event names no itemId");

      final HttpJson.Answer batch =
          http.post(
              LookupApi.EVENTS_PATH,
              """
              [{"sessionId": "s-2", "eventType": "search", "eventTime": 1795428931000},
               {"eventId": "e-3", "sessionId": "s-2", "userId": "u-7", "eventType": "PURCHASE",
                "itemId": "i-4", "eventTime": 1795428932000}]
              """);
      assertThat(batch.status()).isEqualTo(202);
      assertThat(batch.body().get("accepted").asInt()).isEqualTo(2);
      final String generatedId = batch.body().get("eventIds").get(0).asText();

      final List<ConsumerRecord<String, byte[]>> records = new CopyOnWriteArrayList<>();
      await()
          .atMost(TIMEOUT)
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= 3;
              });
      // nothing more arrives: the refused batch left no trace
      consumer.poll(Duration.ofMillis(500)).forEach(records::add);
      assertThat(records).hasSize(3);

      final Map<String, ConsumerRecord<String, byte[]>> byId = new HashMap<>();
      for (final ConsumerRecord<String, byte[]> rec : records) {
        byId.put(decode(weblog, rec).getEventId(), rec);
      }
      assertThat(byId).containsOnlyKeys("e-1", generatedId, "e-3");

      final ConsumerRecord<String, byte[]> first = byId.get("e-1");
      final WeblogEvent e1 = decode(weblog, first);
      assertThat(first.key()).isEqualTo("s-1");
      assertThat(first.timestamp())
          .isEqualTo(Instant.parse("2026-11-23T10:15:30.123Z").toEpochMilli());
      assertThat(e1.getEventType()).isEqualTo(EventType.PRODUCT_VIEW);
      assertThat(e1.getItemId()).isEqualTo("i-1");
      assertThat(e1.getAttributes()).isEqualTo(Map.of("page", "/p/1"));

      final ConsumerRecord<String, byte[]> second = byId.get(generatedId);
      assertThat(second.key()).isEqualTo("s-2");
      assertThat(second.timestamp()).isEqualTo(1795428931000L);
      assertThat(decode(weblog, second).getEventType()).isEqualTo(EventType.SEARCH);

      final ConsumerRecord<String, byte[]> third = byId.get("e-3");
      assertThat(third.key()).isEqualTo("s-2");
      assertThat(third.timestamp()).isEqualTo(1795428932000L);
      assertThat(decode(weblog, third).getUserId()).isEqualTo("u-7");
      assertThat(third.partition()).as("one session, one partition").isEqualTo(second.partition());
    }
  }

  @Test
  void shouldPushTheCurrentListThenANewOneOverServerSentEvents() throws Exception {
    final Topic<String, WeblogEvent> weblog = weblogTopic();
    final String recommendations = KAFKA.uniqueName("recommendations");
    KAFKA.createTopic(recommendations, 2);
    publish(recommendations, TestLists.list("a-1", "s-a", "i-1", "i-2"));

    try (LookupApi api = LookupApi.start(settings(recommendations, weblog), registry())) {
      final HttpJson http = new HttpJson(api.port());
      await().atMost(TIMEOUT).until(() -> http.get("/ready").status() == 200);

      try (SseTestClient client =
          new SseTestClient(api.port(), "/v1/sessions/s-a/recommendations/stream")) {
        await().atMost(TIMEOUT).until(() -> client.events().size() == 1);
        assertThat(client.status()).isEqualTo(200);
        assertThat(client.events().get(0).event()).isEqualTo("recommendations");
        assertThat(client.events().get(0).id()).isEqualTo("a-1");
        assertThat(MAPPER.readTree(client.events().get(0).data()))
            .isEqualTo(http.get("/v1/sessions/s-a/recommendations").body());

        publish(recommendations, TestLists.list("b-1", "s-b", "i-9"));
        publish(recommendations, TestLists.list("a-2", "s-a", "i-3"));

        await().atMost(TIMEOUT).until(() -> client.events().size() == 2);
        assertThat(client.events())
            .extracting(SseTestClient.Event::id)
            .containsExactly("a-1", "a-2");
        assertThat(
                MAPPER
                    .readTree(client.events().get(1).data())
                    .get("items")
                    .get(0)
                    .get("itemId")
                    .asText())
            .isEqualTo("i-3");
        assertThat(api.openStreams()).isEqualTo(1);
      }
    }
  }

  private static Topic<String, WeblogEvent> weblogTopic() {
    return Topics.from(
            InSessionConfig.of(Map.of(InSessionConfig.WEBLOG_TOPIC, KAFKA.uniqueName("weblog"))))
        .weblog();
  }

  private static LookupApiSettings settings(
      final String recommendations, final Topic<String, WeblogEvent> weblog) {
    return LookupApiSettings.of(KAFKA.bootstrapServers(), recommendations)
        .withPort(0)
        .withCollector(new CollectorSettings(weblog, 100, Duration.ofSeconds(20)))
        .withPush(new PushSettings(10, Duration.ofMillis(200)));
  }

  private static PrometheusMeterRegistry registry() {
    return PrometheusMetrics.newRegistry();
  }

  private static KafkaConsumer<String, byte[]> weblogConsumer(final String topic) {
    final KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            KAFKA.consumerProps(KAFKA.uniqueName("weblog-reader")),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    consumer.subscribe(List.of(topic));
    return consumer;
  }

  private static WeblogEvent decode(
      final Topic<String, WeblogEvent> weblog, final ConsumerRecord<String, byte[]> rec) {
    return weblog.valueSerde().deserializer().deserialize(rec.topic(), rec.value());
  }

  private static void publish(final String topic, final RecommendationList list) {
    final Map<String, Object> props = KAFKA.producerProps();
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, KAFKA.uniqueName("events-it-tx"));
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, list.getSessionId(), LISTS.serialize(topic, list)));
      producer.commitTransaction();
    }
  }
}
