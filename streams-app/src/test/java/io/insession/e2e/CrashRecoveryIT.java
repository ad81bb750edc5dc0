package io.insession.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.insession.config.InSessionConfig;
import io.insession.kafka.Topics;
import io.insession.metrics.TopologyMetrics;
import io.insession.runtime.RecommenderStreams;
import io.insession.runtime.ScorerWarmup;
import io.insession.runtime.StreamsRunner;
import io.insession.schemas.EventType;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.SessionState;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.SessionScorer;
import io.insession.scoring.StepRequest;
import io.insession.scoring.StepResult;
import io.insession.session.SessionStates;
import io.insession.testing.ForwardingScorer;
import io.insession.testing.KafkaTestCluster;
import io.insession.testing.TestModels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Exactly-once with micro-batching: the stream dies in the middle of scoring a batch whose events
 * were already committed to the pending-events changelog (their input offsets with them), and
 * restarts on another (empty) state directory. Every input event still gets exactly one list, and
 * the session states equal those of an uninterrupted run.
 */
class CrashRecoveryIT {

  @RegisterExtension static final KafkaTestCluster KAFKA = new KafkaTestCluster();

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final int SESSIONS = 20;
  private static final int EVENTS_PER_SESSION = 3;

  @TempDir Path firstStateDir;
  @TempDir Path secondStateDir;

  /** The real scorer, made to fail on one call (counted once armed): the crash. */
  private static final class CrashingScorer extends ForwardingScorer {
    private final int failingCall;
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicBoolean armed;

    CrashingScorer(final SessionScorer real, final int failingCall) {
      this(real, failingCall, true);
    }

    CrashingScorer(final SessionScorer real, final int failingCall, final boolean armed) {
      super(real);
      this.failingCall = failingCall;
      this.armed = new AtomicBoolean(armed);
    }

    void arm() {
      armed.set(true);
    }

    @Override
    public List<StepResult> stepAll(final List<StepRequest> requests) {
      if (armed.get() && calls.incrementAndGet() == failingCall) {
        throw new IllegalStateException("simulated crash in scorer call " + failingCall);
      }
      return super.stepAll(requests);
    }
  }

  /**
   * With one input partition the stream thread has one task; with four, four tasks share the
   * thread's batch (which fills, and so is scored, only with the events of all of them), and the
   * crash hits a batch that holds events of every task.
   */
  @ParameterizedTest(name = "{0} input partition(s)")
  @ValueSource(ints = {1, 4})
  void shouldNeitherLoseNorDuplicateEventsPendingInABatchWhenTheStreamCrashes(final int partitions)
      throws Exception {
    final String app = KAFKA.uniqueName("crash-app");
    final List<WeblogEvent> events = events();
    // the batch is scored only when every event has arrived (the thread going free does not
    // score it: eager batching off)
    final InSessionConfig first = config(app, firstStateDir, events.size(), 600_000, false);
    final Topics topics = Topics.from(first);
    KAFKA.createTopic(topics.weblog().name(), partitions);
    KAFKA.createTopics(topics.deadLetter().name(), topics.recommendations().name());
    KAFKA.createGlobalStoreTopics(first);
    final String pendingChangelog = app + "-pending-events-changelog";

    try (SessionScorer real = TestModels.tinyGruScorer()) {
      // 1. all but the last event wait in the pending store, committed to its changelog; the last
      //    one fills the batch, which is scored a round per event of a session: the 2nd scorer
      //    call fails after the 1st round's lists were forwarded (in the open transaction)
      // no warm-up here: its scorer calls would count towards the failing one
      try (StreamsRunner crashing =
          RecommenderStreams.create(
              first, new CrashingScorer(real, 2), TopologyMetrics.NONE, ScorerWarmup.none())) {
        crashing.start();
        assertThat(crashing.awaitRunning(TIMEOUT)).isTrue();
        produce(topics, events.subList(0, events.size() - 1));
        await()
            .atMost(TIMEOUT)
            .pollInterval(Duration.ofMillis(200))
            .until(() -> committedRecords(pendingChangelog).size() >= events.size() - 1);
        produce(topics, events.subList(events.size() - 1, events.size()));
        await().atMost(TIMEOUT).until(crashing::hasFailed);
      }
      assertThat(committedLists(topics)).as("the failed batch left nothing visible").isEmpty();

      // 2. restart on an empty state directory: state comes back from the changelogs
      final InSessionConfig second = config(app, secondStateDir, 64, 50, true);
      assertExactlyOnceAfterRestart(second, real, topics, events);
    }
  }

  /**
   * Eager batching (the default): a batch is scored as soon as the stream thread is free, never
   * because it filled or waited (size 64, delay 10 minutes). The first wave of events gets its
   * lists, committed; the scorer then fails in the middle of a batch of the later waves (its second
   * call after the first wave, after the lists of the first round of that batch were forwarded in
   * the open transaction). After a restart every event has exactly one list and the states equal an
   * uninterrupted run's.
   */
  @ParameterizedTest(name = "{0} input partition(s)")
  @ValueSource(ints = {1, 4})
  void shouldNeitherLoseNorDuplicateEventsWhenTheStreamCrashesInABatchScoredOnceTheThreadWasFree(
      final int partitions) throws Exception {
    final String app = KAFKA.uniqueName("eager-crash-app");
    final List<WeblogEvent> events = events();
    final InSessionConfig first = config(app, firstStateDir, 64, 600_000, true);
    final Topics topics = Topics.from(first);
    KAFKA.createTopic(topics.weblog().name(), partitions);
    KAFKA.createTopics(topics.deadLetter().name(), topics.recommendations().name());
    KAFKA.createGlobalStoreTopics(first);

    try (SessionScorer real = TestModels.tinyGruScorer()) {
      final CrashingScorer crashing = new CrashingScorer(real, 2, false);
      try (StreamsRunner runner =
          RecommenderStreams.create(first, crashing, TopologyMetrics.NONE, ScorerWarmup.none())) {
        runner.start();
        assertThat(runner.awaitRunning(TIMEOUT)).isTrue();
        produce(topics, events.subList(0, SESSIONS));
        await()
            .atMost(TIMEOUT)
            .pollInterval(Duration.ofMillis(200))
            .until(() -> committedLists(topics).size() >= SESSIONS);
        crashing.arm();
        produce(topics, events.subList(SESSIONS, events.size()));
        await().atMost(TIMEOUT).until(runner::hasFailed);
      }
      assertThat(committedLists(topics))
          .extracting(RecommendationList::getTriggerEventId)
          .as("the first wave's lists, each once, before the restart")
          .containsAll(events.subList(0, SESSIONS).stream().map(WeblogEvent::getEventId).toList())
          .doesNotHaveDuplicates();

      final InSessionConfig second = config(app, secondStateDir, 64, 600_000, true);
      assertExactlyOnceAfterRestart(second, real, topics, events);
    }
  }

  /** A restart on {@code config}: one list per event, the states of an uninterrupted run. */
  private static void assertExactlyOnceAfterRestart(
      final InSessionConfig config,
      final SessionScorer real,
      final Topics topics,
      final List<WeblogEvent> events)
      throws InterruptedException {
    try (StreamsRunner restarted = RecommenderStreams.create(config, real)) {
      restarted.start();
      assertThat(restarted.awaitRunning(TIMEOUT)).isTrue();
      await()
          .atMost(TIMEOUT)
          .pollInterval(Duration.ofMillis(500))
          .until(() -> committedLists(topics).size() >= events.size());
      final Map<String, Long> listsPerEvent =
          committedLists(topics).stream()
              .collect(
                  Collectors.groupingBy(
                      RecommendationList::getTriggerEventId, Collectors.counting()));
      assertThat(listsPerEvent).hasSize(events.size());
      assertThat(listsPerEvent.values()).allMatch(count -> count == 1L);

      final ReadOnlyKeyValueStore<String, SessionState> store =
          restarted
              .streams()
              .store(
                  StoreQueryParameters.fromNameAndType(
                      SessionStates.STORE_NAME, QueryableStoreTypes.keyValueStore()));
      final Map<String, SessionState> expected = uninterrupted(real, events);
      for (final Map.Entry<String, SessionState> session : expected.entrySet()) {
        final SessionState actual = store.get(session.getKey());
        assertThat(actual.getRecentItems()).isEqualTo(session.getValue().getRecentItems());
        assertThat(actual.getEventCount()).isEqualTo(session.getValue().getEventCount());
        assertThat(floats(actual)).containsExactly(floats(session.getValue()), within(1e-5f));
      }
    }
  }

  /** What each session's state is after its events, stepped one by one without any crash. */
  private static Map<String, SessionState> uninterrupted(
      final SessionScorer scorer, final List<WeblogEvent> events) {
    final Map<String, SessionState> states = new HashMap<>();
    for (final WeblogEvent event : events) {
      final SessionState current =
          SessionStates.resume(
              states.get(event.getSessionId()), scorer.model(), event.getEventTime(), 30 * 60_000L);
      final StepResult step =
          scorer.step(
              new StepRequest(
                  SessionStates.scorerState(current), current.getRecentItems(), event.getItemId()));
      states.put(
          event.getSessionId(),
          SessionStates.advance(
              current,
              event.getItemId(),
              step.state(),
              step.itemKnown(),
              event.getEventTime(),
              50));
    }
    return states;
  }

  private static InSessionConfig config(
      final String app,
      final Path stateDir,
      final int batchSize,
      final long batchDelayMs,
      final boolean eager) {
    final Map<String, String> settings = new HashMap<>();
    settings.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
    settings.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    settings.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "50");
    // the crashed member never says goodbye: let the group notice within seconds, not 45 s
    settings.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "6000");
    settings.put(InSessionConfig.APPLICATION_ID, app);
    settings.put(InSessionConfig.WEBLOG_TOPIC, app + "-weblog");
    settings.put(InSessionConfig.DEAD_LETTER_TOPIC, app + "-dlq");
    settings.put(InSessionConfig.RECOMMENDATIONS_TOPIC, app + "-recommendations");
    settings.put(InSessionConfig.SCORING_BATCH_MAX_SIZE, String.valueOf(batchSize));
    settings.put(InSessionConfig.SCORING_BATCH_MAX_DELAY_MS, String.valueOf(batchDelayMs));
    settings.put(InSessionConfig.SCORING_BATCH_EAGER, String.valueOf(eager));
    return InSessionConfig.of(settings);
  }

  private static List<WeblogEvent> events() {
    final Instant start = Instant.now();
    final List<WeblogEvent> events = new ArrayList<>();
    for (int position = 0; position < EVENTS_PER_SESSION; position++) {
      for (int session = 0; session < SESSIONS; session++) {
        events.add(
            WeblogEvent.newBuilder()
                .setEventId("s" + session + "-" + position)
                .setSessionId("s" + session)
                .setEventType(EventType.PRODUCT_VIEW)
                .setItemId(TestModels.tinyItemId(session * 7 + position * 3))
                .setEventTime(start.plusMillis(position * 1000L + session))
                .build());
      }
    }
    return events;
  }

  private static void produce(final Topics topics, final List<WeblogEvent> events) {
    try (KafkaProducer<String, WeblogEvent> producer =
        new KafkaProducer<>(
            KAFKA.stringProducerProps(),
            topics.weblog().keySerde().serializer(),
            topics.weblog().valueSerde().serializer())) {
      for (final WeblogEvent event : events) {
        producer.send(
            new ProducerRecord<>(
                topics.weblog().name(),
                null,
                event.getEventTime().toEpochMilli(),
                event.getSessionId(),
                event));
      }
      producer.flush();
    }
  }

  private static List<RecommendationList> committedLists(final Topics topics) {
    final List<RecommendationList> lists = new ArrayList<>();
    for (final ConsumerRecord<String, byte[]> record :
        committedRecords(topics.recommendations().name())) {
      lists.add(
          topics.recommendations().valueSerde().deserializer().deserialize("", record.value()));
    }
    return lists;
  }

  /** Every committed record of a topic, read from the beginning to the current end. */
  private static List<ConsumerRecord<String, byte[]>> committedRecords(final String topic) {
    final Map<String, Object> props = new HashMap<>(KAFKA.consumerProps(KAFKA.uniqueName("check")));
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    final List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      final List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      final Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      await()
          .atMost(TIMEOUT)
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
              });
    }
    return records;
  }

  private static float[] floats(final SessionState state) {
    final byte[] bytes = SessionStates.scorerState(state);
    final float[] values = new float[bytes.length / 4];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
    return values;
  }
}
