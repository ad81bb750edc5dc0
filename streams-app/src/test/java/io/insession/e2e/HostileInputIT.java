package io.insession.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insession.avro.AvroSingleObjectSerde;
import io.insession.config.InSessionConfig;
import io.insession.kafka.Topics;
import io.insession.runtime.RecommenderStreams;
import io.insession.runtime.StreamsRunner;
import io.insession.schemas.EventType;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.SessionScorer;
import io.insession.testing.KafkaTestCluster;
import io.insession.testing.TestEvents;
import io.insession.testing.TestModels;
import io.insession.topology.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile-input suite (issue 9) on a real broker: a corpus of every class of bad record, each
 * followed by a good event, written with a plain byte producer (so records the Avro encoder or the
 * collector would refuse get through). For each class: records in = lists + dead letters + silent
 * events, the good event after it gets its list, and the application never leaves RUNNING. The
 * table in docs/bad-input.md is this corpus.
 *
 * <p>Not here: a negative Kafka record timestamp, which the Java producer cannot write (librdkafka
 * can); {@code SafeTimestampExtractorTest} covers it.
 */
class HostileInputIT {

  @RegisterExtension static final KafkaTestCluster KAFKA = new KafkaTestCluster();

  private static final Duration TIMEOUT = Duration.ofSeconds(90);

  /** The Streams producer's request size: small, so a large dead letter must shrink to fit. */
  private static final int STREAMS_MAX_REQUEST_BYTES = 300_000;

  @TempDir Path stateDir;

  /**
   * One class of bad input and what must become of its records.
   *
   * @param name the class
   * @param records what is written, in order
   * @param lists how many lists it must yield
   * @param deadLetters the dead-letter reasons it must yield, in order
   */
  private record Case(
      String name,
      List<ProducerRecord<byte[], byte[]>> records,
      int lists,
      List<String> deadLetters) {
    int silent() {
      return records.size() - lists - deadLetters.size();
    }
  }

  private String weblog;
  private final Instant now = Instant.now();

  @Test
  void shouldRouteEveryBadRecordAndKeepServingWithoutEverLeavingRunning() throws Exception {
    final InSessionConfig config = config();
    final Topics topics = Topics.from(config);
    weblog = topics.weblog().name();
    KAFKA.createTopic(weblog, 1);
    KAFKA.createTopics(topics.deadLetter().name(), topics.recommendations().name());
    KAFKA.createGlobalStoreTopics(config);
    final List<Case> cases = corpus();

    try (SessionScorer scorer = TestModels.tinyGruScorer();
        StreamsRunner streams = RecommenderStreams.create(config, scorer)) {
      final AtomicBoolean failed = new AtomicBoolean();
      streams.onFailure(() -> failed.set(true));
      streams.start();
      assertThat(streams.awaitRunning(TIMEOUT)).isTrue();

      // offset of each record -> its class; event id of each good event -> the class before it
      final Map<Long, String> classByOffset = new HashMap<>();
      final Map<String, String> goodAfter = new LinkedHashMap<>();
      final Map<String, String> classByEventId = new HashMap<>();
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps())) {
        for (final Case hostile : cases) {
          for (final ProducerRecord<byte[], byte[]> record : hostile.records()) {
            classByOffset.put(producer.send(record).get().offset(), hostile.name());
            eventId(record).ifPresent(id -> classByEventId.put(id, hostile.name()));
          }
          final WeblogEvent good =
              TestEvents.view("good-" + hostile.name(), "good-" + hostile.name(), item(1), now);
          producer.send(record(good.getSessionId(), encode(good), null)).get();
          goodAfter.put(good.getEventId(), hostile.name());
        }
      }

      final int expectedLists = cases.stream().mapToInt(Case::lists).sum() + goodAfter.size();
      final int expectedDead = cases.stream().mapToInt(c -> c.deadLetters().size()).sum();
      final List<RecommendationList> lists = new ArrayList<>();
      final List<ConsumerRecord<byte[], byte[]>> dead = new ArrayList<>();
      try (KafkaConsumer<byte[], byte[]> listReader = reader();
          KafkaConsumer<byte[], byte[]> deadReader = reader()) {
        listReader.subscribe(List.of(topics.recommendations().name()));
        deadReader.subscribe(List.of(topics.deadLetter().name()));
        await()
            .atMost(TIMEOUT)
            .until(
                () -> {
                  for (final ConsumerRecord<byte[], byte[]> r :
                      listReader.poll(Duration.ofMillis(100))) {
                    lists.add(
                        topics
                            .recommendations()
                            .valueSerde()
                            .deserializer()
                            .deserialize("", r.value()));
                  }
                  deadReader.poll(Duration.ofMillis(100)).forEach(dead::add);
                  return lists.size() >= expectedLists && dead.size() >= expectedDead;
                });
      }

      assertThat(lists).hasSize(expectedLists);
      assertThat(dead).hasSize(expectedDead);
      assertThat(lists)
          .extracting(RecommendationList::getTriggerEventId)
          .as("every good event after a bad one got its list")
          .containsAll(goodAfter.keySet());

      final Map<String, Integer> listsByClass = new TreeMap<>();
      for (final RecommendationList list : lists) {
        final String name = classByEventId.get(list.getTriggerEventId());
        if (name != null && !goodAfter.containsKey(list.getTriggerEventId())) {
          listsByClass.merge(name, 1, Integer::sum);
        }
      }
      final Map<String, List<String>> deadByClass = new TreeMap<>();
      for (final ConsumerRecord<byte[], byte[]> record : dead) {
        final long offset = Long.parseLong(header(record, DeadLetterHeaders.SOURCE_OFFSET));
        deadByClass
            .computeIfAbsent(classByOffset.get(offset), k -> new ArrayList<>())
            .add(header(record, DeadLetterHeaders.REASON));
        if ("huge-key-and-session-id".equals(classByOffset.get(offset))) {
          assertThat(record.value()).as("too large to copy: a reference only").isNull();
          assertThat(record.key()).isNull();
          assertThat(Long.parseLong(header(record, DeadLetterHeaders.DROPPED_BYTES)))
              .isGreaterThan(800_000);
        }
        assertThat(record.serializedKeySize() + record.serializedValueSize())
            .as("a dead letter fits the producer's request size")
            .isLessThan(STREAMS_MAX_REQUEST_BYTES);
      }
      for (final Case hostile : cases) {
        final int listed = listsByClass.getOrDefault(hostile.name(), 0);
        final List<String> reasons = deadByClass.getOrDefault(hostile.name(), List.of());
        assertThat(listed).as(hostile.name() + ": lists").isEqualTo(hostile.lists());
        assertThat(reasons).as(hostile.name() + ": dead letters").isEqualTo(hostile.deadLetters());
        assertThat(hostile.records().size() - listed - reasons.size())
            .as(hostile.name() + ": in = lists + dead letters + silent")
            .isEqualTo(hostile.silent());
      }
      assertThat(failed).as("no stream thread failed, the client never went to ERROR").isFalse();
      assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
      assertThat(streams.hasFailed()).isFalse();
    }
  }

  private List<Case> corpus() {
    final WeblogEvent good = TestEvents.view("s-key", "e-key", item(0), now);
    final byte[] goodBytes = encode(good);
    final String hugeId = "k".repeat(400_000);
    final Map<String, String> manyAttributes = new HashMap<>();
    for (int i = 0; i < 51; i++) {
      manyAttributes.put("k" + i, "v");
    }
    final List<Case> cases = new ArrayList<>();
    cases.add(one("missing-key", record(null, goodBytes, null), 0, "MISSING_KEY"));
    cases.add(one("null-value", record("s-null", null, null), 0, "MISSING_VALUE"));
    cases.add(
        one(
            "undecodable",
            record("s-junk", "{\"not\": \"avro\"}".getBytes(StandardCharsets.UTF_8), null),
            0,
            "UNDECODABLE"));
    cases.add(
        one("truncated", record("s-key", Arrays.copyOf(goodBytes, 12), null), 0, "UNDECODABLE"));
    cases.add(
        one(
            "missing-session-id",
            event("s-x", TestEvents.view("", "e", item(0), now), null),
            0,
            "MISSING_FIELD"));
    cases.add(
        one(
            "missing-event-id",
            event("s-x", TestEvents.view("s-x", "", item(0), now), null),
            0,
            "MISSING_FIELD"));
    cases.add(one("key-mismatch", record("someone-else", goodBytes, null), 0, "KEY_MISMATCH"));
    cases.add(
        one(
            "missing-item",
            event("s-mi", TestEvents.event("s-mi", "mi", EventType.PURCHASE, null, now), null),
            0,
            "MISSING_ITEM"));
    cases.add(
        one(
            "event-time-2h-ahead",
            event("s-f", TestEvents.view("s-f", "f", item(0), now.plus(Duration.ofHours(2))), null),
            0,
            "EVENT_TIME_OUT_OF_RANGE"));
    cases.add(
        one(
            "event-time-50min-ahead-stamped-so",
            event(
                "s-50",
                TestEvents.view("s-50", "f50", item(0), now.plus(Duration.ofMinutes(50))),
                now.plus(Duration.ofMinutes(50)).toEpochMilli()),
            0,
            "EVENT_TIME_OUT_OF_RANGE"));
    cases.add(
        one(
            "event-time-negative",
            event("s-n", TestEvents.view("s-n", "n", item(0), Instant.ofEpochMilli(-1)), null),
            0,
            "EVENT_TIME_OUT_OF_RANGE"));
    cases.add(
        one(
            "event-time-long-max",
            event(
                "s-o",
                TestEvents.view("s-o", "o", item(0), Instant.ofEpochMilli(Long.MAX_VALUE)),
                null),
            0,
            "EVENT_TIME_OUT_OF_RANGE"));
    cases.add(
        one(
            "huge-key-and-session-id",
            record(hugeId, encode(TestEvents.view(hugeId, "h", item(0), now)), null),
            0,
            "RECORD_TOO_LARGE"));
    cases.add(
        one(
            "huge-item-id",
            event("s-hi", TestEvents.view("s-hi", "hi", "i".repeat(25 * 1024), now), null),
            0,
            "FIELD_TOO_LONG"));
    cases.add(
        one(
            "too-many-attributes",
            event(
                "s-at",
                WeblogEvent.newBuilder(TestEvents.view("s-at", "at", item(0), now))
                    .setAttributes(manyAttributes)
                    .build(),
                null),
            0,
            "TOO_MANY_ATTRIBUTES"));
    cases.add(
        one(
            "record-too-large",
            record("s-big", new byte[100 * 1024], null),
            0,
            "RECORD_TOO_LARGE"));
    final WeblogEvent retried = TestEvents.view("s-retry", "r1", item(2), now);
    cases.add(
        new Case(
            "retried-event-id",
            List.of(event("s-retry", retried, null), event("s-retry", retried, null)),
            1,
            List.of()));
    cases.add(
        one(
            "unknown-item",
            event("s-u", TestEvents.view("s-u", "u", "never-trained-on", now), null),
            1));
    cases.add(
        one(
            "page-view",
            event("s-pv", TestEvents.event("s-pv", "pv", EventType.PAGE_VIEW, null, now), null),
            0));
    return cases;
  }

  private static Case one(
      final String name,
      final ProducerRecord<byte[], byte[]> record,
      final int lists,
      final String... reasons) {
    return new Case(name, List.of(record), lists, List.of(reasons));
  }

  private ProducerRecord<byte[], byte[]> event(
      final String key, final WeblogEvent event, final Long timestamp) {
    return record(key, encode(event), timestamp);
  }

  private ProducerRecord<byte[], byte[]> record(
      final String key, final byte[] value, final Long timestamp) {
    return new ProducerRecord<>(
        weblog, null, timestamp, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value);
  }

  private static java.util.Optional<String> eventId(final ProducerRecord<byte[], byte[]> record) {
    try {
      return java.util.Optional.of(
          AvroSingleObjectSerde.forType(WeblogEvent.class)
              .deserialize("", record.value())
              .getEventId());
    } catch (RuntimeException notAnEvent) {
      return java.util.Optional.empty();
    }
  }

  private static byte[] encode(final WeblogEvent event) {
    return AvroSingleObjectSerde.forType(WeblogEvent.class).serialize("", event);
  }

  private static String item(final int index) {
    return TestModels.tinyItemId(index);
  }

  private InSessionConfig config() {
    final Map<String, String> settings = new HashMap<>();
    settings.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
    settings.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    settings.put(
        StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
        String.valueOf(STREAMS_MAX_REQUEST_BYTES));
    settings.put(InSessionConfig.APPLICATION_ID, KAFKA.uniqueName("hostile-app"));
    settings.put(InSessionConfig.WEBLOG_TOPIC, KAFKA.uniqueName("weblog"));
    settings.put(InSessionConfig.DEAD_LETTER_TOPIC, KAFKA.uniqueName("dlq"));
    settings.put(InSessionConfig.RECOMMENDATIONS_TOPIC, KAFKA.uniqueName("recommendations"));
    return InSessionConfig.of(settings);
  }

  private static Map<String, Object> producerProps() {
    final Map<String, Object> props = new HashMap<>(KAFKA.producerProps());
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1_000_000);
    return props;
  }

  private static KafkaConsumer<byte[], byte[]> reader() {
    final Map<String, Object> props =
        new HashMap<>(KAFKA.consumerProps(KAFKA.uniqueName("reader")));
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return new KafkaConsumer<>(props);
  }

  private static String header(final ConsumerRecord<byte[], byte[]> record, final String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
