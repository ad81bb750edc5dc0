package io.insession.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.insession.api.LookupApi;
import io.insession.config.InSessionConfig;
import io.insession.kafka.Topics;
import io.insession.runtime.LookupSettings;
import io.insession.runtime.RecommenderStreams;
import io.insession.runtime.StreamsRunner;
import io.insession.schemas.EventType;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.ScoredItem;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.SessionScorer;
import io.insession.testing.HttpJson;
import io.insession.testing.KafkaTestCluster;
import io.insession.testing.TestModels;
import io.insession.topology.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop on a real broker: weblog events in, the real topology with RocksDB state and the
 * tiny ONNX model, lists on the output topic, dead letters, and the lookup API over HTTP.
 */
class RecommenderEndToEndIT {

  @RegisterExtension static final KafkaTestCluster KAFKA = new KafkaTestCluster();

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final int LIST_LENGTH = 10;

  @TempDir Path stateDir;

  @Test
  void shouldScoreEveryEventAndServeEachSessionsLatestListOverHttp() throws Exception {
    final InSessionConfig config = config();
    final Topics topics = Topics.from(config);
    KAFKA.createTopic(topics.weblog().name(), 2);
    KAFKA.createTopics(topics.deadLetter().name(), topics.recommendations().name());
    KAFKA.createGlobalStoreTopics(config);
    final Map<String, List<WeblogEvent>> sessions = sessions();

    try (SessionScorer scorer = TestModels.tinyGruScorer();
        StreamsRunner streams = RecommenderStreams.create(config, scorer);
        LookupApi api = LookupApi.start(LookupSettings.from(config))) {
      streams.start();
      assertThat(streams.awaitRunning(TIMEOUT)).isTrue();

      produce(topics, sessions);

      final List<RecommendationList> lists = readLists(topics, 7);
      assertThat(lists)
          .extracting(RecommendationList::getTriggerEventId)
          .containsExactlyInAnyOrderElementsOf(
              sessions.values().stream()
                  .flatMap(List::stream)
                  .map(WeblogEvent::getEventId)
                  .toList());
      for (final RecommendationList list : lists) {
        final List<WeblogEvent> events = sessions.get(list.getSessionId());
        final List<String> seen = new ArrayList<>();
        for (final WeblogEvent event : events) {
          seen.add(event.getItemId());
          if (event.getEventId().equals(list.getTriggerEventId())) {
            break;
          }
        }
        assertThat(list.getItems()).hasSize(LIST_LENGTH);
        assertThat(list.getItems())
            .extracting(ScoredItem::getItemId)
            .as("items the session saw up to this list")
            .noneMatch(seen::contains);
        assertThat(list.getModelName()).isEqualTo(scorer.model().name());
        assertThat(list.getEmittedAt()).isAfterOrEqualTo(list.getTriggerEventTime());
        assertThat(list.getFallback()).isEqualTo(list.getSessionId().equals("cold"));
      }

      final List<ConsumerRecord<byte[], byte[]>> dead = readDeadLetters(topics);
      assertThat(dead).hasSize(1);
      assertThat(header(dead.get(0), DeadLetterHeaders.REASON)).isEqualTo("UNDECODABLE");
      assertThat(header(dead.get(0), DeadLetterHeaders.SOURCE_TOPIC))
          .isEqualTo(topics.weblog().name());

      final HttpJson http = new HttpJson(api.port());
      await().atMost(TIMEOUT).until(() -> http.get("/ready").status() == 200);
      for (final Map.Entry<String, List<WeblogEvent>> session : sessions.entrySet()) {
        final List<WeblogEvent> events = session.getValue();
        final String lastEventId = events.get(events.size() - 1).getEventId();
        await()
            .atMost(TIMEOUT)
            .untilAsserted(
                () -> {
                  final HttpJson.Answer answer =
                      http.get("/v1/sessions/" + session.getKey() + "/recommendations");
                  assertThat(answer.status()).isEqualTo(200);
                  final JsonNode body = answer.body();
                  assertThat(body.get("triggerEventId").asText()).isEqualTo(lastEventId);
                  assertThat(body.get("items")).hasSize(LIST_LENGTH);
                });
      }
      assertThat(http.get("/v1/sessions/nobody/recommendations").status()).isEqualTo(404);
    }
  }

  private InSessionConfig config() {
    final Map<String, String> settings = new HashMap<>();
    settings.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
    settings.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    settings.put(InSessionConfig.APPLICATION_ID, KAFKA.uniqueName("e2e-app"));
    settings.put(InSessionConfig.WEBLOG_TOPIC, KAFKA.uniqueName("weblog"));
    settings.put(InSessionConfig.DEAD_LETTER_TOPIC, KAFKA.uniqueName("dlq"));
    settings.put(InSessionConfig.RECOMMENDATIONS_TOPIC, KAFKA.uniqueName("recommendations"));
    settings.put(InSessionConfig.RECOMMENDATIONS_COUNT, String.valueOf(LIST_LENGTH));
    // every seen item left out: a seen item in a list would show a lost session state
    settings.put(InSessionConfig.RULE_EXCLUDE_SEEN, "all");
    settings.put(InSessionConfig.API_PORT, "0");
    settings.put(InSessionConfig.API_METRICS_PORT, "0");
    // authentication has its own tests (ApiSecurityIT)
    settings.put(InSessionConfig.API_AUTH, InSessionConfig.AUTH_NONE);
    return InSessionConfig.of(settings);
  }

  private static Map<String, List<WeblogEvent>> sessions() {
    final Instant now = Instant.now();
    final Map<String, List<WeblogEvent>> sessions = new LinkedHashMap<>();
    sessions.put(
        "alice",
        List.of(
            view("alice", 0, TestModels.tinyItemId(0), now),
            view("alice", 1, TestModels.tinyItemId(4), now),
            view("alice", 2, TestModels.tinyItemId(9), now)));
    sessions.put(
        "bob",
        List.of(
            view("bob", 0, TestModels.tinyItemId(2), now),
            view("bob", 1, TestModels.tinyItemId(2), now),
            view("bob", 2, TestModels.tinyItemId(30), now)));
    sessions.put("cold", List.of(view("cold", 0, "an-item-nobody-trained-on", now)));
    return sessions;
  }

  private static WeblogEvent view(
      final String session, final int position, final String item, final Instant time) {
    return WeblogEvent.newBuilder()
        .setEventId(session + "-" + position)
        .setSessionId(session)
        .setEventType(EventType.PRODUCT_VIEW)
        .setItemId(item)
        .setEventTime(time.plusMillis(position))
        .build();
  }

  private static void produce(final Topics topics, final Map<String, List<WeblogEvent>> sessions) {
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            KAFKA.stringProducerProps(),
            topics.weblog().keySerde().serializer(),
            new ByteArraySerializer())) {
      final int longest = sessions.values().stream().mapToInt(List::size).max().orElse(0);
      for (int position = 0; position < longest; position++) {
        for (final List<WeblogEvent> events : sessions.values()) {
          if (position < events.size()) {
            final WeblogEvent event = events.get(position);
            producer.send(
                new ProducerRecord<>(
                    topics.weblog().name(),
                    event.getSessionId(),
                    topics.weblog().valueSerde().serializer().serialize("", event)));
          }
        }
        if (position == 0) {
          producer.send(
              new ProducerRecord<>(
                  topics.weblog().name(),
                  "alice",
                  "{\"not\": \"avro\"}".getBytes(StandardCharsets.UTF_8)));
        }
      }
      producer.flush();
    }
  }

  private static List<RecommendationList> readLists(final Topics topics, final int expected) {
    final List<RecommendationList> lists = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            committedReader(), new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topics.recommendations().name()));
      await()
          .atMost(TIMEOUT)
          .until(
              () -> {
                for (final ConsumerRecord<String, byte[]> record :
                    consumer.poll(Duration.ofMillis(200))) {
                  lists.add(
                      topics
                          .recommendations()
                          .valueSerde()
                          .deserializer()
                          .deserialize("", record.value()));
                }
                return lists.size() >= expected;
              });
    }
    assertThat(lists).hasSize(expected);
    return lists;
  }

  private static List<ConsumerRecord<byte[], byte[]>> readDeadLetters(final Topics topics) {
    final List<ConsumerRecord<byte[], byte[]>> dead = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            committedReader(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topics.deadLetter().name()));
      await()
          .atMost(TIMEOUT)
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(dead::add);
                return !dead.isEmpty();
              });
    }
    return dead;
  }

  private static Map<String, Object> committedReader() {
    final Map<String, Object> props =
        new HashMap<>(KAFKA.consumerProps(KAFKA.uniqueName("reader")));
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return props;
  }

  private static String header(final ConsumerRecord<byte[], byte[]> record, final String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
