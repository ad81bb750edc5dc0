package io.insession.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.insession.avro.AvroSingleObjectSerde;
import io.insession.config.InSessionConfig;
import io.insession.kafka.Topics;
import io.insession.metrics.TopologyMetrics;
import io.insession.rules.RuleChain;
import io.insession.schemas.EventType;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.ScoredItem;
import io.insession.schemas.SessionState;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.SessionScorer;
import io.insession.scoring.StepRequest;
import io.insession.scoring.StepResult;
import io.insession.session.SessionStates;
import io.insession.testing.TestEvents;
import io.insession.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Micro-batched scoring gives exactly what scoring each event at once gives, only in fewer calls.
 */
class MicroBatchingTopologyTest {

  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  private static final TopologySettings UNBATCHED =
      TopologySettings.unbatched(30 * 60_000L, 60_000L, 50, 10, true);

  private static SessionScorer scorer;
  private static Topics topics;

  @BeforeAll
  static void loadModel() {
    scorer = TestModels.tinyGruScorer();
    topics = Topics.from(InSessionConfig.of(Map.of()));
  }

  @AfterAll
  static void closeModel() {
    scorer.close();
  }

  /** A driver with its topics, closed by the test. */
  private record Run(
      TopologyTestDriver driver,
      TestInputTopic<byte[], byte[]> in,
      TestOutputTopic<String, RecommendationList> out)
      implements AutoCloseable {

    KeyValueStore<String, SessionState> sessions() {
      return driver.getKeyValueStore(SessionStates.STORE_NAME);
    }

    KeyValueStore<Long, WeblogEvent> pending() {
      return driver.getKeyValueStore(ScoreSessionProcessor.PENDING_STORE);
    }

    void send(final WeblogEvent event) {
      in.pipeInput(
          event.getSessionId().getBytes(StandardCharsets.UTF_8),
          AvroSingleObjectSerde.forType(WeblogEvent.class).serialize("t", event),
          event.getEventTime());
    }

    @Override
    public void close() {
      driver.close();
    }
  }

  private static Run start(final TopologySettings settings) {
    final Properties props = TopologyTestProperties.production("batching-test");
    final TopologyTestDriver driver =
        new TopologyTestDriver(
            RecommenderTopology.build(
                settings, scorer, topics, Clock.fixed(T0.plusSeconds(3600), ZoneOffset.UTC)),
            props,
            T0);
    return new Run(
        driver,
        driver.createInputTopic(
            topics.weblog().name(),
            Serdes.ByteArray().serializer(),
            Serdes.ByteArray().serializer()),
        driver.createOutputTopic(
            topics.recommendations().name(),
            topics.recommendations().keySerde().deserializer(),
            topics.recommendations().valueSerde().deserializer()));
  }

  private static WeblogEvent event(
      final String session,
      final String id,
      final EventType type,
      final String item,
      final long ms) {
    return TestEvents.event(session, id, type, item, T0.plusMillis(ms));
  }

  private static WeblogEvent view(final String session, final String id, final int item) {
    return event(session, id, EventType.PRODUCT_VIEW, TestModels.tinyItemId(item), 0);
  }

  @Test
  void shouldHoldEventsUntilTheBatchDelayThenScoreThemAll() {
    try (Run run = start(UNBATCHED.withBatching(64, 5))) {
      run.send(view("a", "a1", 0));
      run.send(view("b", "b1", 1));
      run.send(view("c", "c1", 2));

      assertThat(run.out().isEmpty()).isTrue();
      assertThat(run.pending().approximateNumEntries()).isPositive();

      run.driver().advanceWallClockTime(Duration.ofMillis(5));

      assertThat(run.out().readValuesToList())
          .extracting(RecommendationList::getTriggerEventId)
          .containsExactly("a1", "b1", "c1");
      assertThat(countPending(run)).isZero();
    }
  }

  @Test
  void shouldScoreTheQueuedEventsAsSoonAsTheThreadIsFreeInsteadOfWaitingForTheDelay() {
    try (Run run = start(UNBATCHED.withBatching(64, 600_000))) {
      run.send(view("a", "a1", 0));
      run.send(view("b", "b1", 1));
      run.send(view("c", "c1", 2));
      run.driver().advanceWallClockTime(Duration.ofMillis(1));
      assertThat(run.out().isEmpty()).as("the thread has not been free since").isTrue();

      // what the stream thread's consumer does when it has processed every record it read
      assertThat(ThreadCycle.current().polling()).as("events wait: do not block").isTrue();
      run.driver().advanceWallClockTime(Duration.ofMillis(1));

      assertThat(run.out().readValuesToList())
          .extracting(RecommendationList::getTriggerEventId)
          .containsExactly("a1", "b1", "c1");
      assertThat(countPending(run)).isZero();
      assertThat(ThreadCycle.current().polling()).as("nothing waits: the poll may block").isFalse();
    }
  }

  @Test
  void shouldScoreWhatWasReadBeforeTheThreadWasFreeBeforeTheNextEventJoins() {
    try (Run run = start(UNBATCHED.withBatching(64, 600_000))) {
      run.send(view("a", "a1", 0));
      run.send(view("b", "b1", 1));
      ThreadCycle.current().polling();

      run.send(view("a", "a2", 2));

      assertThat(run.out().readValuesToList())
          .extracting(RecommendationList::getTriggerEventId)
          .containsExactly("a1", "b1");
      assertThat(run.pending().get(2L).getEventId()).isEqualTo("a2");
      ThreadCycle.current().polling();
      run.driver().advanceWallClockTime(Duration.ofMillis(1));
      assertThat(run.out().readValuesToList())
          .extracting(RecommendationList::getTriggerEventId)
          .containsExactly("a2");
      assertThat(run.sessions().get("a").getEventCount()).isEqualTo(2);
    }
  }

  @Test
  void shouldWaitForTheDelayWhenEagerBatchingIsOff() {
    try (Run run = start(UNBATCHED.withBatching(64, 5).withEagerBatching(false))) {
      run.send(view("a", "a1", 0));
      ThreadCycle.current().polling();
      run.driver().advanceWallClockTime(Duration.ofMillis(1));
      assertThat(run.out().isEmpty()).isTrue();

      run.driver().advanceWallClockTime(Duration.ofMillis(4));

      assertThat(run.out().readValuesToList())
          .extracting(RecommendationList::getTriggerEventId)
          .containsExactly("a1");
    }
  }

  @Test
  void shouldApplyARetriedEventOnceWithinOneBatch() {
    try (Run run = start(UNBATCHED.withBatching(64, 5))) {
      run.send(view("a", "a1", 0));
      run.send(view("a", "a1", 0));
      run.send(view("b", "b1", 1));
      run.send(view("a", "a2", 2));
      run.send(view("a", "a2", 2));

      run.driver().advanceWallClockTime(Duration.ofMillis(5));

      assertThat(run.out().readValuesToList())
          .extracting(RecommendationList::getTriggerEventId)
          .containsExactlyInAnyOrder("a1", "b1", "a2");
      assertThat(run.sessions().get("a").getEventCount()).isEqualTo(2);
      assertThat(run.sessions().get("a").getRecentEventIds()).containsExactly("a1", "a2");
      assertThat(countPending(run)).isZero();
    }
  }

  @Test
  void shouldScoreAFullBatchWithoutWaiting() {
    try (Run run = start(UNBATCHED.withBatching(3, 60_000))) {
      run.send(view("a", "a1", 0));
      run.send(view("b", "b1", 1));
      assertThat(run.out().isEmpty()).isTrue();

      run.send(view("c", "c1", 2));

      assertThat(run.out().readValuesToList()).hasSize(3);
      assertThat(countPending(run)).isZero();
    }
  }

  @Test
  void shouldEmitTheSameListsAndLeaveTheSameStatesAsScoringEachEventAtOnce() {
    final List<WeblogEvent> events = randomTraffic(400, 25, 7L);

    final Map<String, List<String>> batchedLists;
    final Map<String, SessionState> batchedStates;
    try (Run run = start(UNBATCHED.withBatching(16, 5))) {
      for (int i = 0; i < events.size(); i++) {
        run.send(events.get(i));
        if (i % 37 == 0) {
          run.driver().advanceWallClockTime(Duration.ofMillis(5));
        }
      }
      run.driver().advanceWallClockTime(Duration.ofMillis(5));
      batchedLists = listsByTrigger(run.out().readValuesToList());
      batchedStates = states(run, events);
    }
    final Map<String, List<String>> singleLists;
    final Map<String, SessionState> singleStates;
    try (Run run = start(UNBATCHED)) {
      events.forEach(run::send);
      singleLists = listsByTrigger(run.out().readValuesToList());
      singleStates = states(run, events);
    }

    assertThat(batchedLists)
        .hasSize((int) events.stream().filter(e -> e.getItemId() != null).count());
    assertThat(batchedLists).isEqualTo(singleLists);
    assertThat(batchedStates.keySet()).isEqualTo(singleStates.keySet());
    for (final String session : singleStates.keySet()) {
      final SessionState batched = batchedStates.get(session);
      final SessionState single = singleStates.get(session);
      assertThat(batched.getRecentItems()).isEqualTo(single.getRecentItems());
      assertThat(batched.getEventCount()).isEqualTo(single.getEventCount());
      assertThat(batched.getLastEventAt()).isEqualTo(single.getLastEventAt());
      assertThat(floats(batched))
          .containsExactly(floats(single), org.assertj.core.data.Offset.offset(1e-5f));
    }
  }

  @Test
  void shouldStepEachSessionsEventsInOrderWithinOneBatch() {
    final MicroBatch batch =
        new MicroBatch(scorer, RuleChain.of(false, 10), UNBATCHED, TopologyMetrics.NONE);
    final List<WeblogEvent> events =
        List.of(view("a", "a1", 3), view("b", "b1", 4), view("a", "a2", 5), view("a", "a3", 6));

    final MicroBatch.Outcome outcome = batch.apply(events, id -> null);

    assertThat(outcome.scorerCalls()).as("three rounds: a1+b1, a2, a3").isEqualTo(3);
    final StepResult a1 =
        scorer.step(new StepRequest(new byte[0], List.of(), TestModels.tinyItemId(3)));
    final StepResult a2 =
        scorer.step(new StepRequest(a1.state(), List.of(), TestModels.tinyItemId(5)));
    final StepResult a3 =
        scorer.step(new StepRequest(a2.state(), List.of(), TestModels.tinyItemId(6)));
    assertThat(floats(outcome.states().get("a")))
        .containsExactly(floats(a3.state()), org.assertj.core.data.Offset.offset(1e-5f));
    assertThat(outcome.emissions())
        .extracting(e -> e.trigger().getEventId())
        .containsExactly("a1", "b1", "a2", "a3");
  }

  private static List<WeblogEvent> randomTraffic(
      final int count, final int sessions, final long seed) {
    final Random random = new Random(seed);
    final List<WeblogEvent> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      final String session = "s" + random.nextInt(sessions);
      final int kind = random.nextInt(20);
      final long ms = i * 10L;
      if (kind == 0) {
        events.add(event(session, "e" + i, EventType.PAGE_VIEW, null, ms));
      } else if (kind == 1) {
        events.add(event(session, "e" + i, EventType.PRODUCT_VIEW, "unknown-" + i, ms));
      } else {
        events.add(
            event(
                session,
                "e" + i,
                EventType.PRODUCT_VIEW,
                TestModels.tinyItemId(random.nextInt(300)),
                ms));
      }
    }
    return events;
  }

  private static Map<String, List<String>> listsByTrigger(final List<RecommendationList> lists) {
    final Map<String, List<String>> byTrigger = new HashMap<>();
    for (final RecommendationList list : lists) {
      byTrigger.put(
          list.getTriggerEventId(),
          list.getItems().stream().map(ScoredItem::getItemId).collect(Collectors.toList()));
    }
    return byTrigger;
  }

  private static Map<String, SessionState> states(final Run run, final List<WeblogEvent> events) {
    final Map<String, SessionState> states = new HashMap<>();
    for (final WeblogEvent event : events) {
      states.put(event.getSessionId(), run.sessions().get(event.getSessionId()));
    }
    return states;
  }

  private static int countPending(final Run run) {
    int count = 0;
    try (var all = run.pending().all()) {
      while (all.hasNext()) {
        all.next();
        count++;
      }
    }
    return count;
  }

  private static float[] floats(final SessionState state) {
    return floats(SessionStates.scorerState(state));
  }

  private static float[] floats(final byte[] bytes) {
    final java.nio.FloatBuffer buffer =
        java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    final float[] values = new float[buffer.remaining()];
    buffer.get(values);
    return values;
  }
}
