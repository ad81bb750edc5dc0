package io.insession.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insession.config.InSessionConfig;
import io.insession.kafka.JavaKeyPartitioner;
import io.insession.kafka.Topics;
import io.insession.runtime.RecommenderStreams;
import io.insession.runtime.StreamsRunner;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.ScoredItem;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.SessionScorer;
import io.insession.testing.KafkaTestCluster;
import io.insession.testing.TestEvents;
import io.insession.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntBinaryOperator;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Producers with different partitioners on a real broker: the same sessions once with every event
 * on its key's murmur2 partition (what the Java collector does), once with every other event on an
 * explicitly chosen other partition (what a librdkafka client with its default CRC32 partitioner
 * does). The lists must be the same, event for event: each session keeps one state.
 */
class MixedPartitionersEndToEndIT {

  @RegisterExtension static final KafkaTestCluster KAFKA = new KafkaTestCluster();

  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final int PARTITIONS = 4;
  private static final int SESSIONS = 8;
  private static final int EVENTS = 4;
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  private static SessionScorer scorer;

  @TempDir Path stateDir;

  @BeforeAll
  static void loadModel() {
    scorer = TestModels.tinyGruScorer();
  }

  @AfterAll
  static void closeModel() {
    scorer.close();
  }

  @Test
  void shouldServeTheSameListsWhenASessionsEventsArriveOnOtherPartitionsThanMurmur2()
      throws InterruptedException {
    final Map<String, List<String>> inPlace =
        run("in-place", (home, position) -> home); // the Java producer
    final Map<String, List<String>> mixed =
        run(
            "mixed",
            (home, position) -> position % 2 == 0 ? home : (home + 1 + position / 2) % PARTITIONS);

    assertThat(inPlace).hasSize(SESSIONS * EVENTS);
    assertThat(mixed).isEqualTo(inPlace);
    // had a task started a new state for the misplaced events, the seen items would come back
    for (final Map.Entry<String, List<String>> list : mixed.entrySet()) {
      final String session = list.getKey().substring(0, list.getKey().lastIndexOf('-'));
      final int position = Integer.parseInt(list.getKey().substring(session.length() + 1));
      for (int seen = 0; seen <= position; seen++) {
        assertThat(list.getValue()).doesNotContain(item(session, seen));
      }
    }
  }

  /**
   * Sends every session's events round by round, event {@code i} of each session to the partition
   * {@code partitioner} picks from its key's murmur2 partition and {@code i}, waiting for the lists
   * of a round before the next; returns each trigger event's list (item ids and scores).
   */
  private Map<String, List<String>> run(final String name, final IntBinaryOperator partitioner)
      throws InterruptedException {
    final InSessionConfig config = config(name);
    final Topics topics = Topics.from(config);
    KAFKA.createTopic(topics.weblog().name(), PARTITIONS);
    KAFKA.createTopic(topics.deadLetter().name(), PARTITIONS);
    KAFKA.createTopic(topics.recommendations().name(), PARTITIONS);
    KAFKA.createGlobalStoreTopics(config);
    final Map<String, List<String>> lists = new TreeMap<>();
    try (StreamsRunner streams = RecommenderStreams.create(config, scorer);
        KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(
                KAFKA.producerProps(), new ByteArraySerializer(), new ByteArraySerializer());
        KafkaConsumer<String, byte[]> consumer =
            new KafkaConsumer<>(
                committedReader(), new StringDeserializer(), new ByteArrayDeserializer())) {
      streams.start();
      assertThat(streams.awaitRunning(TIMEOUT)).isTrue();
      consumer.subscribe(List.of(topics.recommendations().name()));
      for (int position = 0; position < EVENTS; position++) {
        for (int s = 0; s < SESSIONS; s++) {
          final String session = "session-" + s;
          final byte[] key = session.getBytes(StandardCharsets.UTF_8);
          final int home = JavaKeyPartitioner.partitionOf(key, PARTITIONS);
          final WeblogEvent event =
              TestEvents.view(
                  session,
                  session + "-" + position,
                  item(session, position),
                  T0.plusSeconds(position));
          producer.send(
              new ProducerRecord<>(
                  topics.weblog().name(),
                  partitioner.applyAsInt(home, position),
                  event.getEventTime().toEpochMilli(),
                  key,
                  topics.weblog().valueSerde().serializer().serialize("", event)));
        }
        producer.flush();
        final int expected = SESSIONS * (position + 1);
        await()
            .atMost(TIMEOUT)
            .until(
                () -> {
                  for (final ConsumerRecord<String, byte[]> record :
                      consumer.poll(Duration.ofMillis(200))) {
                    final RecommendationList list =
                        topics
                            .recommendations()
                            .valueSerde()
                            .deserializer()
                            .deserialize("", record.value());
                    lists.put(
                        list.getTriggerEventId(),
                        list.getItems().stream().map(MixedPartitionersEndToEndIT::text).toList());
                  }
                  return lists.size() >= expected;
                });
        assertThat(lists).hasSize(expected);
      }
    }
    return lists;
  }

  /** Items that the tiny model knows, different per session and position. */
  private static String item(final String session, final int position) {
    final int s = Integer.parseInt(session.substring("session-".length()));
    return TestModels.tinyItemId(s * 7 + position * 3);
  }

  private static String text(final ScoredItem item) {
    return item.getItemId() + "=" + item.getScore();
  }

  private InSessionConfig config(final String name) {
    final Map<String, String> settings = new HashMap<>();
    settings.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
    settings.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve(name).toString());
    settings.put(InSessionConfig.APPLICATION_ID, KAFKA.uniqueName(name + "-app"));
    settings.put(InSessionConfig.WEBLOG_TOPIC, KAFKA.uniqueName(name + "-weblog"));
    settings.put(InSessionConfig.DEAD_LETTER_TOPIC, KAFKA.uniqueName(name + "-dlq"));
    settings.put(InSessionConfig.RECOMMENDATIONS_TOPIC, KAFKA.uniqueName(name + "-lists"));
    // every seen item left out: a seen item in a list would show a lost session state
    settings.put(InSessionConfig.RULE_EXCLUDE_SEEN, "all");
    return InSessionConfig.of(settings);
  }

  private static Map<String, Object> committedReader() {
    final Map<String, Object> props =
        new HashMap<>(KAFKA.consumerProps(KAFKA.uniqueName("reader")));
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return props;
  }
}
