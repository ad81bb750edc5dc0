package io.insession.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.insession.config.InSessionConfig;
import io.insession.kafka.JavaKeyPartitioner;
import io.insession.kafka.Topics;
import io.insession.metrics.TopologyMetrics;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.SessionState;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.SessionScorer;
import io.insession.session.SessionStates;
import io.insession.testing.TestEvents;
import io.insession.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.IntStream;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The placement check in front of validation, on {@link TopologyTestDriver}: the driver reads every
 * input record from partition 0, so over a weblog of {@value #PARTITIONS} partitions a key whose
 * murmur2 partition is not 0 sits where a non-Java partitioner would have put it.
 */
class KeyPlacementTopologyTest {

  private static final int PARTITIONS = 4;
  private static final String APP = "placement-test";
  private static final String REROUTED_TOPIC = APP + "-weblog-rerouted-repartition";
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  private static final Instant EMITTED = Instant.parse("2026-11-23T12:00:00Z");

  private static SessionScorer scorer;
  private static Topics topics;

  @TempDir Path stateDir;

  @BeforeAll
  static void loadModel() {
    scorer = TestModels.tinyGruScorer();
    topics = Topics.from(InSessionConfig.of(Map.of()));
  }

  @AfterAll
  static void closeModel() {
    scorer.close();
  }

  /** A driver over a weblog topic with {@code partitions} partitions, and its topics. */
  private record Run(
      TopologyTestDriver driver,
      TestInputTopic<byte[], byte[]> weblog,
      TestOutputTopic<String, RecommendationList> lists,
      TestOutputTopic<byte[], byte[]> deadLetters)
      implements AutoCloseable {

    static Run over(final int partitions, final Path stateDir) {
      final Properties props = TopologyTestProperties.production(APP);
      props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
      final TopologyTestDriver driver =
          new TopologyTestDriver(
              RecommenderTopology.build(
                  TopologySettings.unbatched(60_000L, 1_000L, 50, 10, true),
                  scorer,
                  topics,
                  Clock.fixed(EMITTED, ZoneOffset.UTC),
                  TopologyMetrics.NONE,
                  partitions),
              props);
      return new Run(
          driver,
          driver.createInputTopic(
              topics.weblog().name(),
              Serdes.ByteArray().serializer(),
              Serdes.ByteArray().serializer()),
          driver.createOutputTopic(
              topics.recommendations().name(),
              topics.recommendations().keySerde().deserializer(),
              topics.recommendations().valueSerde().deserializer()),
          driver.createOutputTopic(
              topics.deadLetter().name(),
              Serdes.ByteArray().deserializer(),
              Serdes.ByteArray().deserializer()));
    }

    void send(final List<WeblogEvent> events) {
      for (final WeblogEvent event : events) {
        weblog.pipeInput(
            key(event.getSessionId()),
            topics.weblog().valueSerde().serializer().serialize(topics.weblog().name(), event),
            event.getEventTime());
      }
    }

    SessionState state(final String session) {
      return driver.<String, SessionState>getKeyValueStore(SessionStates.STORE_NAME).get(session);
    }

    @Override
    public void close() {
      driver.close();
    }
  }

  @Test
  void shouldRerouteAMisplacedSessionAndScoreItAsIfItHadBeenInPlace() {
    final String session = sessionOnPartition(false);
    final List<WeblogEvent> events = events(session);
    final List<RecommendationList> expected;
    try (Run inPlace = Run.over(1, stateDir.resolve("one"))) {
      inPlace.send(events);
      expected = inPlace.lists.readValuesToList();
    }
    try (Run misplaced = Run.over(PARTITIONS, stateDir.resolve("many"))) {
      misplaced.send(events);
      assertThat(misplaced.driver.producedTopicNames()).contains(REROUTED_TOPIC);
      assertThat(misplaced.lists.readValuesToList()).hasSize(events.size()).isEqualTo(expected);
      assertThat(misplaced.state(session).getEventCount())
          .as("one session state across all its events")
          .isEqualTo(events.size());
    }
  }

  @Test
  void shouldLeaveRecordsOnTheirKeyPartitionOutOfTheHop() {
    final String session = sessionOnPartition(true);
    try (Run run = Run.over(PARTITIONS, stateDir.resolve("many"))) {
      run.send(events(session));
      assertThat(run.lists.readValuesToList()).hasSize(3);
      assertThat(run.driver.producedTopicNames()).doesNotContain(REROUTED_TOPIC);
    }
  }

  @Test
  void shouldTellWhereAReroutedDeadLetterFirstArrived() {
    final String session = sessionOnPartition(false);
    try (Run run = Run.over(PARTITIONS, stateDir.resolve("many"))) {
      run.weblog.pipeInput(key(session), "not avro".getBytes(StandardCharsets.UTF_8), T0);
      run.weblog.pipeInput(key(session), "still not".getBytes(StandardCharsets.UTF_8), T0);
      final List<TestRecord<byte[], byte[]>> dead = run.deadLetters.readRecordsToList();
      assertThat(dead).hasSize(2);
      assertThat(dead)
          .extracting(r -> header(r, KeyPlacementFilter.REROUTED_FROM_TOPIC))
          .containsOnly(topics.weblog().name());
      assertThat(dead)
          .extracting(r -> header(r, KeyPlacementFilter.REROUTED_FROM_PARTITION))
          .containsOnly("0");
      assertThat(dead)
          .extracting(r -> header(r, KeyPlacementFilter.REROUTED_FROM_OFFSET))
          .containsExactly("0", "1");
      assertThat(dead)
          .extracting(r -> header(r, DeadLetterHeaders.REASON))
          .containsOnly(DeadLetterReason.UNDECODABLE.name());
    }
  }

  @Test
  void shouldCountOnlyKeyedRecordsOffTheirMurmur2PartitionAsMisplaced() {
    final byte[] key = key("alice");
    final int home = JavaKeyPartitioner.partitionOf(key, PARTITIONS);
    assertThat(IntStream.range(0, PARTITIONS))
        .allSatisfy(
            p ->
                assertThat(KeyPlacementFilter.isMisplaced(key, p, PARTITIONS))
                    .isEqualTo(p != home));
    assertThat(KeyPlacementFilter.isMisplaced(null, 3, PARTITIONS)).isFalse();
    assertThat(KeyPlacementFilter.isMisplaced(key, 0, 1)).isFalse();
  }

  /** The first session id whose key's murmur2 partition is (or is not) 0. */
  private static String sessionOnPartition(final boolean zero) {
    return IntStream.range(0, 1_000)
        .mapToObj(i -> "session-" + i)
        .filter(s -> (JavaKeyPartitioner.partitionOf(key(s), PARTITIONS) == 0) == zero)
        .findFirst()
        .orElseThrow();
  }

  private static List<WeblogEvent> events(final String session) {
    return IntStream.range(0, 3)
        .mapToObj(
            i ->
                TestEvents.view(
                    session, session + "-" + i, TestModels.tinyItemId(i * 3), T0.plusSeconds(i)))
        .toList();
  }

  private static byte[] key(final String session) {
    return session.getBytes(StandardCharsets.UTF_8);
  }

  private static String header(final TestRecord<byte[], byte[]> record, final String name) {
    final Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }
}
