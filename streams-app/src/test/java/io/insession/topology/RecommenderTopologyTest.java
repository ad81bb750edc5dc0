package io.insession.topology;

import static io.insession.testing.TestEvents.event;
import static io.insession.testing.TestEvents.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.insession.avro.AvroSingleObjectSerde;
import io.insession.config.InSessionConfig;
import io.insession.kafka.Topics;
import io.insession.kafka.ValueSerdes;
import io.insession.metrics.MicrometerTopologyMetrics;
import io.insession.schemas.EventType;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.ScoredItem;
import io.insession.schemas.SessionState;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.Candidate;
import io.insession.scoring.ModelInfo;
import io.insession.scoring.SessionScorer;
import io.insession.scoring.StepRequest;
import io.insession.scoring.StepResult;
import io.insession.session.ForgetRequests;
import io.insession.session.SessionStates;
import io.insession.testing.TestModels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The topology on {@link TopologyTestDriver}, scored by the real tiny ONNX test bundle. */
class RecommenderTopologyTest {

  private static final long GAP = 60_000L;
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  private static final Instant EMITTED = Instant.parse("2026-11-23T12:00:00Z");
  static final long BATCH_DELAY_MS = 2;

  private static SessionScorer scorer;
  private static Topics topics;

  private TopologyTestDriver driver;
  private TestInputTopic<byte[], byte[]> weblog;
  private TestOutputTopic<String, RecommendationList> recommendations;
  private TestOutputTopic<byte[], byte[]> deadLetters;
  private KeyValueStore<String, SessionState> sessions;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  /** The driver's wall clock (the stream's own clock): starts at {@link #EMITTED}. */
  private long wall;

  @BeforeAll
  static void loadModel() {
    scorer = TestModels.tinyGruScorer();
    topics = Topics.from(InSessionConfig.of(Map.of()));
  }

  @AfterAll
  static void closeModel() {
    scorer.close();
  }

  @AfterEach
  void closeDriver() {
    if (driver != null) {
      driver.close();
      driver = null;
    }
  }

  /** The settings a test asks for, as this class runs them (a subclass turns batching on). */
  protected TopologySettings adjust(final TopologySettings settings) {
    return settings;
  }

  /** Lets any micro-batch waiting for its wall-clock delay be scored. */
  private void flushBatches() {
    advanceWallTo(wall + BATCH_DELAY_MS);
  }

  /** Moves the stream's clock to {@code millis}, firing the wall-clock punctuators due. */
  private void advanceWallTo(final long millis) {
    driver.advanceWallClockTime(Duration.ofMillis(millis - wall));
    wall = millis;
  }

  private void start(final TopologySettings requested) {
    final TopologySettings settings = adjust(requested);
    final Properties props = TopologyTestProperties.production("topology-test");
    driver =
        new TopologyTestDriver(
            RecommenderTopology.build(
                settings,
                scorer,
                topics,
                Clock.fixed(EMITTED, ZoneOffset.UTC),
                new MicrometerTopologyMetrics(registry, List.of())),
            props,
            EMITTED);
    wall = EMITTED.toEpochMilli();
    weblog =
        driver.createInputTopic(
            topics.weblog().name(),
            Serdes.ByteArray().serializer(),
            Serdes.ByteArray().serializer());
    recommendations =
        driver.createOutputTopic(
            topics.recommendations().name(),
            topics.recommendations().keySerde().deserializer(),
            topics.recommendations().valueSerde().deserializer());
    deadLetters =
        driver.createOutputTopic(
            topics.deadLetter().name(),
            Serdes.ByteArray().deserializer(),
            Serdes.ByteArray().deserializer());
    sessions = driver.getKeyValueStore(SessionStates.STORE_NAME);
  }

  private static TopologySettings settings(final boolean excludeSeen) {
    return TopologySettings.unbatched(GAP, 1_000L, 50, 10, excludeSeen);
  }

  private void send(final WeblogEvent event) {
    weblog.pipeInput(
        key(event.getSessionId()),
        AvroSingleObjectSerde.forType(WeblogEvent.class).serialize("t", event),
        event.getEventTime());
    flushBatches();
  }

  private static byte[] key(final String sessionId) {
    return sessionId.getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> ids(final RecommendationList list) {
    return list.getItems().stream().map(ScoredItem::getItemId).toList();
  }

  private static List<String> ids(final List<Candidate> candidates) {
    return candidates.stream().map(Candidate::itemId).toList();
  }

  private static String item(final int index) {
    return TestModels.tinyItemId(index);
  }

  @Test
  void shouldWriteSessionStateAndReadItBackAtTheNextEvent() {
    start(settings(true));

    send(view("s1", "e1", item(0), T0));
    send(view("s1", "e2", item(1), T0.plusSeconds(5)));

    final SessionState state = sessions.get("s1");
    assertThat(state.getRecentItems()).containsExactly(item(0), item(1));
    assertThat(state.getEventCount()).isEqualTo(2);
    assertThat(state.getKnownItemCount()).isEqualTo(2);
    assertThat(state.getStartedAt()).isEqualTo(T0);
    assertThat(state.getLastEventAt()).isEqualTo(T0.plusSeconds(5));
    assertThat(state.getModelVersion()).isEqualTo(scorer.model().version());
    assertThat(state.getScorerState().remaining()).isEqualTo(TestModels.TINY_HIDDEN_SIZE * 4);
    assertThat(recommendations.readKeyValuesToList()).hasSize(2);
  }

  @Test
  void shouldRunOnTheBoundedRocksDbMemoryAndReportItsCapacity() {
    start(settings(true));

    send(view("s1", "e1", item(0), T0));

    assertThat(recommendations.readValuesToList()).hasSize(1);
    assertThat(stateMetric("block-cache-capacity", SessionStates.STORE_NAME))
        .isEqualTo(
            BigInteger.valueOf(
                InSessionConfig.of(Map.of()).getLong(InSessionConfig.ROCKSDB_MEMORY_BYTES)));
  }

  private Object stateMetric(final String name, final String store) {
    return driver.metrics().entrySet().stream()
        .filter(m -> m.getKey().group().equals("stream-state-metrics"))
        .filter(m -> m.getKey().name().equals(name))
        .filter(m -> store.equals(m.getKey().tags().get("rocksdb-state-id")))
        .map(m -> m.getValue().metricValue())
        .findFirst()
        .orElseThrow(() -> new AssertionError("no metric " + name + " for " + store));
  }

  @Test
  void shouldAdvanceTheModelOneStepFromTheStoredHiddenState() {
    start(settings(false));

    send(view("s1", "e1", item(3), T0));
    send(view("s1", "e2", item(7), T0.plusSeconds(1)));

    final StepResult first = scorer.step(new StepRequest(new byte[0], List.of(), item(3)));
    final StepResult second =
        scorer.step(new StepRequest(first.state(), List.of(item(3)), item(7)));
    final List<RecommendationList> lists = recommendations.readValuesToList();
    assertThat(ids(lists.get(0))).isEqualTo(ids(first.candidates()).subList(0, 10));
    assertThat(ids(lists.get(1))).isEqualTo(ids(second.candidates()).subList(0, 10));
    assertThat(SessionStates.scorerState(sessions.get("s1"))).isEqualTo(second.state());
  }

  @Test
  void shouldEmitAListCarryingItsTriggerAndModel() {
    start(settings(true));

    send(view("s1", "e1", item(0), T0));

    final TestRecord<String, RecommendationList> out = recommendations.readRecord();
    final RecommendationList list = out.value();
    assertThat(out.key()).isEqualTo("s1");
    assertThat(list.getSessionId()).isEqualTo("s1");
    assertThat(list.getItems()).hasSize(10);
    assertThat(list.getItems())
        .extracting(ScoredItem::getScore)
        .isSortedAccordingTo((a, b) -> Float.compare(b, a));
    assertThat(list.getModelName()).isEqualTo(scorer.model().name());
    assertThat(list.getModelVersion()).isEqualTo(scorer.model().version());
    assertThat(list.getTriggerEventId()).isEqualTo("e1");
    assertThat(list.getTriggerEventTime()).isEqualTo(T0);
    assertThat(list.getEmittedAt()).isEqualTo(EMITTED);
    assertThat(list.getFallback()).isFalse();
    assertThat(list.getRecommendationId())
        .isEqualTo(ScoreSessionProcessor.recommendationId("s1", "e1"));
  }

  @Test
  void shouldDropItemsTheSessionAlreadySawOnlyWhenTheRuleIsOn() {
    final String repeat = anItemTheModelRecommendsAfterItself();

    start(settings(false));
    send(view("s1", "e1", repeat, T0));
    assertThat(ids(recommendations.readValue())).contains(repeat);
    driver.close();

    start(settings(true));
    send(view("s1", "e1", repeat, T0));
    final List<String> filtered = ids(recommendations.readValue());
    assertThat(filtered).doesNotContain(repeat).hasSize(10);
    final List<String> raw =
        ids(scorer.step(new StepRequest(new byte[0], List.of(), repeat)).candidates());
    assertThat(filtered)
        .isEqualTo(raw.stream().filter(id -> !id.equals(repeat)).limit(10).toList());
  }

  private static String anItemTheModelRecommendsAfterItself() {
    for (int index = 0; index < 200; index++) {
      final String candidate = item(index);
      final StepResult step = scorer.step(new StepRequest(new byte[0], List.of(), candidate));
      if (ids(step.candidates()).subList(0, 10).contains(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError("the tiny model recommends none of its 200 top items after itself");
  }

  @Test
  void shouldServePopularItemsToASessionWhoseItemsTheModelDoesNotKnow() {
    start(settings(true));

    send(view("cold", "e1", "never-seen-item", T0));

    final RecommendationList list = recommendations.readValue();
    assertThat(list.getFallback()).isTrue();
    assertThat(ids(list)).isEqualTo(ids(scorer.fallback(10)));
    assertThat(ids(list)).hasSize(10);
    assertThat(sessions.get("cold").getKnownItemCount()).isZero();
    assertThat(sessions.get("cold").getScorerState().remaining()).isZero();
  }

  @Test
  void shouldKeepTheSessionOneMillisecondBeforeTheGapAndExpireItOneAfter() {
    start(TopologySettings.unbatched(GAP, 1L, 50, 10, true));
    send(view("s1", "e1", item(0), T0));
    final long seen = sessions.get("s1").getLastSeenAt().toEpochMilli();

    advanceWallTo(seen + GAP - 1);
    assertThat(sessions.get("s1")).isNotNull();

    advanceWallTo(seen + GAP);
    assertThat(sessions.get("s1")).as("idle for exactly the gap: still alive").isNotNull();

    advanceWallTo(seen + GAP + 1);
    assertThat(sessions.get("s1")).isNull();
  }

  @Test
  void shouldMeasureIdleTimeFromWhenTheStreamLastProcessedTheSession() {
    start(TopologySettings.unbatched(GAP, 1L, 50, 10, true));
    send(view("s1", "e1", item(0), T0));
    final long first = sessions.get("s1").getLastSeenAt().toEpochMilli();
    advanceWallTo(first + GAP - 1);

    send(view("s1", "e2", item(1), T0.plusSeconds(1)));
    final long second = sessions.get("s1").getLastSeenAt().toEpochMilli();
    assertThat(second).isGreaterThan(first);

    advanceWallTo(second + GAP);
    assertThat(sessions.get("s1").getEventCount()).isEqualTo(2);
    advanceWallTo(second + GAP + 1);
    assertThat(sessions.get("s1")).isNull();
  }

  /**
   * Issue 9: one event dated 50 minutes ahead (a client clock that is fast, within what the broker
   * and a wide acceptance window take) erased every other session of its partition, because expiry
   * ran on stream time. The other sessions' states and next lists must be as if it never came.
   */
  @Test
  void shouldNotExpireOtherSessionsWhenOneEventIsDatedFiftyMinutesAhead() {
    final long gap = Duration.ofMinutes(30).toMillis();
    final TopologySettings wideWindow =
        TopologySettings.unbatched(gap, 1L, 50, 10, true)
            .withSafety(
                StreamSafety.from(
                    InSessionConfig.of(
                        Map.of(
                            InSessionConfig.EVENT_TIME_MAX_FUTURE_MS,
                            String.valueOf(Duration.ofHours(1).toMillis())))));
    final List<String> others = List.of("a", "b", "c", "d", "e");

    final Map<String, RecommendationList> without = nextLists(wideWindow, others, false);
    final Map<String, SessionState> statesWithout = lastStates;
    final Map<String, RecommendationList> with = nextLists(wideWindow, others, true);

    assertThat(with).isEqualTo(without);
    for (final String session : others) {
      assertThat(lastStates.get(session).getEventCount()).as(session).isEqualTo(2);
      assertThat(lastStates.get(session).getRecentItems())
          .isEqualTo(statesWithout.get(session).getRecentItems());
      assertThat(lastStates.get(session).getScorerState())
          .isEqualTo(statesWithout.get(session).getScorerState());
    }
    assertThat(lastStates.get("skewed").getLastEventAt())
        .isEqualTo(EMITTED.plus(Duration.ofMinutes(50)));
  }

  private Map<String, SessionState> lastStates;

  /**
   * Each of {@code others} views an item; optionally a session dated 50 min ahead comes next; a
   * minute later (by the stream's clock) each of {@code others} views a second item. Returns the
   * second lists; the states at the end are in {@link #lastStates}.
   */
  private Map<String, RecommendationList> nextLists(
      final TopologySettings settings, final List<String> others, final boolean skewed) {
    closeDriver();
    start(settings);
    for (int i = 0; i < others.size(); i++) {
      send(view(others.get(i), "e1", item(i), EMITTED.minusSeconds(60)));
    }
    if (skewed) {
      send(view("skewed", "x1", item(9), EMITTED.plus(Duration.ofMinutes(50))));
    }
    advanceWallTo(wall + 60_000);
    recommendations.readValuesToList();
    for (int i = 0; i < others.size(); i++) {
      send(view(others.get(i), "e2", item(i + 10), EMITTED));
    }
    final Map<String, RecommendationList> lists = new java.util.TreeMap<>();
    for (final RecommendationList list : recommendations.readValuesToList()) {
      lists.put(list.getSessionId(), list);
    }
    final Map<String, SessionState> states = new java.util.TreeMap<>();
    for (final String session : others) {
      states.put(session, sessions.get(session));
    }
    if (skewed) {
      states.put("skewed", sessions.get("skewed"));
    }
    lastStates = states;
    return lists;
  }

  @Test
  void shouldStartANewSessionWhenAnEventArrivesAfterTheGap() {
    start(TopologySettings.unbatched(GAP, 10 * GAP, 50, 10, true));
    send(view("s1", "e1", item(0), T0));
    send(view("s1", "e2", item(1), T0.plusMillis(GAP - 1)));
    assertThat(sessions.get("s1").getEventCount()).isEqualTo(2);

    send(view("s1", "e3", item(2), T0.plusMillis(2 * GAP)));

    final SessionState restarted = sessions.get("s1");
    assertThat(restarted.getEventCount()).isEqualTo(1);
    assertThat(restarted.getRecentItems()).containsExactly(item(2));
    assertThat(restarted.getStartedAt()).isEqualTo(T0.plusMillis(2 * GAP));
  }

  @Test
  void shouldKeepTheSessionAliveOnPageViewsWithoutEmitting() {
    start(settings(true));
    send(view("s1", "e1", item(0), T0));
    recommendations.readValue();

    send(event("s1", "e2", EventType.PAGE_VIEW, null, T0.plusSeconds(30)));

    assertThat(recommendations.isEmpty()).isTrue();
    assertThat(sessions.get("s1").getEventCount()).isEqualTo(2);
    assertThat(sessions.get("s1").getLastEventAt()).isEqualTo(T0.plusSeconds(30));
    assertThat(sessions.get("s1").getRecentItems()).containsExactly(item(0));
  }

  @Test
  void shouldSendEachKindOfBadRecordToTheDeadLetterTopicAndScoreTheNextGoodOne() {
    start(settings(true));
    final AvroSingleObjectSerde<WeblogEvent> serde =
        AvroSingleObjectSerde.forType(WeblogEvent.class);
    final byte[] good = serde.serialize("t", view("s1", "e1", item(0), T0));

    weblog.pipeInput(null, good, T0);
    weblog.pipeInput(key("s1"), null, T0);
    weblog.pipeInput(key("s1"), "not avro at all".getBytes(StandardCharsets.UTF_8), T0);
    weblog.pipeInput(key("s1"), Arrays.copyOf(good, 12), T0);
    weblog.pipeInput(key("s1"), serde.serialize("t", view("", "e1", item(0), T0)), T0);
    send(view("s1", " ", item(0), T0));
    weblog.pipeInput(key("someone-else"), good, T0);
    send(view("s1", "e1", null, T0));
    send(view("s1", "good-after-bad", item(0), T0.plusSeconds(1)));

    final List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
    assertThat(dead)
        .extracting(r -> header(r, DeadLetterHeaders.REASON))
        .containsExactly(
            "MISSING_KEY",
            "MISSING_VALUE",
            "UNDECODABLE",
            "UNDECODABLE",
            "MISSING_FIELD",
            "MISSING_FIELD",
            "KEY_MISMATCH",
            "MISSING_ITEM");
    assertThat(dead)
        .allSatisfy(
            r -> {
              assertThat(header(r, DeadLetterHeaders.SOURCE_TOPIC))
                  .isEqualTo(topics.weblog().name());
              assertThat(header(r, DeadLetterHeaders.SOURCE_PARTITION)).isEqualTo("0");
              assertThat(header(r, DeadLetterHeaders.DETAIL)).isNotBlank();
            });
    assertThat(dead)
        .extracting(r -> header(r, DeadLetterHeaders.SOURCE_OFFSET))
        .containsExactly("0", "1", "2", "3", "4", "5", "6", "7");
    assertThat(dead.get(2).value()).isEqualTo("not avro at all".getBytes(StandardCharsets.UTF_8));
    assertThat(dead.get(6).key()).isEqualTo(key("someone-else"));
    assertThat(dead.get(6).value()).isEqualTo(good);

    final List<RecommendationList> lists = recommendations.readValuesToList();
    assertThat(lists).hasSize(1);
    assertThat(lists.get(0).getTriggerEventId()).isEqualTo("good-after-bad");
  }

  @Test
  void shouldReencodeTheScorerStateWrittenByAnotherModelVersionFromTheRecentItems() {
    start(settings(true));
    sessions.put(
        "s1",
        SessionState.newBuilder(
                SessionStates.advance(
                    SessionStates.start(new ModelInfo("old-model", "v0"), T0),
                    item(5),
                    new byte[] {1, 2, 3},
                    true,
                    T0,
                    50))
            .build());

    send(view("s1", "e2", item(0), T0.plusSeconds(1)));

    final SessionState state = sessions.get("s1");
    assertThat(state.getModelName()).isEqualTo(scorer.model().name());
    assertThat(state.getModelVersion()).isEqualTo(scorer.model().version());
    assertThat(state.getRecentItems()).containsExactly(item(5), item(0));
    assertThat(state.getKnownItemCount()).isEqualTo(2);
    final byte[] reencoded = scorer.step(new StepRequest(new byte[0], List.of(), item(5))).state();
    assertThat(SessionStates.scorerState(state))
        .as("stepped over item 5 from a zero state, then item 0: never reset")
        .isEqualTo(scorer.step(new StepRequest(reencoded, List.of(item(5)), item(0))).state());
  }

  @Test
  void shouldDeadLetterEventTimesOutsideTheWindowAndServeTheNextGoodEvent() {
    start(settings(true));
    final long future =
        InSessionConfig.of(Map.of()).getLong(InSessionConfig.EVENT_TIME_MAX_FUTURE_MS);

    // written now (record timestamp = the stream's clock), dated otherwise
    for (final WeblogEvent event :
        List.of(
            view("s1", "too-far-ahead", item(0), EMITTED.plusMillis(future + 1)),
            view("s1", "negative", item(0), Instant.ofEpochMilli(-1)),
            view("s1", "overflow", item(0), Instant.ofEpochMilli(Long.MAX_VALUE)),
            view("s1", "8-days-before-arrival", item(0), EMITTED.minus(Duration.ofDays(8))),
            view("s1", "just-ahead", item(1), EMITTED.plusMillis(future)))) {
      weblog.pipeInput(key("s1"), encode(event), EMITTED);
      flushBatches();
    }

    assertThat(deadLetters.readRecordsToList())
        .extracting(r -> header(r, DeadLetterHeaders.REASON))
        .containsOnly("EVENT_TIME_OUT_OF_RANGE")
        .hasSize(4);
    final List<TestRecord<String, RecommendationList>> lists = recommendations.readRecordsToList();
    assertThat(lists).extracting(r -> r.value().getTriggerEventId()).containsExactly("just-ahead");
    assertThat(lists.get(0).timestamp()).isEqualTo(EMITTED.plusMillis(future).toEpochMilli());
  }

  @Test
  void shouldJudgeTheFutureByTheStreamsClockNotByTheRecordTimestamp() {
    start(settings(true));
    final WeblogEvent ahead = view("s1", "e1", item(0), EMITTED.plus(Duration.ofMinutes(50)));
    // the collector stamps records with their event time: that must not widen the window
    weblog.pipeInput(key("s1"), encode(ahead), ahead.getEventTime());
    flushBatches();

    assertThat(deadLetters.readRecordsToList())
        .extracting(r -> header(r, DeadLetterHeaders.REASON))
        .containsExactly("EVENT_TIME_OUT_OF_RANGE");
    assertThat(recommendations.isEmpty()).isTrue();
  }

  @Test
  void shouldDeadLetterEventsBeyondTheSizeLimitsAndServeTheNextGoodEvent() {
    start(settings(true));
    final String hugeItem = "i".repeat(25 * 1024);
    final Map<String, String> manyAttributes = new java.util.HashMap<>();
    for (int i = 0; i < 51; i++) {
      manyAttributes.put("k" + i, "v");
    }
    send(view("s1", "huge-item", hugeItem, T0));
    send(view("s1", "long-event-id-" + "e".repeat(200), item(0), T0));
    send(
        WeblogEvent.newBuilder(view("s1", "attributes", item(0), T0))
            .setAttributes(manyAttributes)
            .build());
    send(
        WeblogEvent.newBuilder(view("s1", "big-record", item(0), T0))
            .setAttributes(Map.of("a", "x".repeat(1000)))
            .build());
    weblog.pipeInput(key("s1"), new byte[70 * 1024], T0);
    send(view("s1", "good", item(1), T0));

    assertThat(deadLetters.readRecordsToList())
        .extracting(r -> header(r, DeadLetterHeaders.REASON))
        .containsExactly(
            "FIELD_TOO_LONG", "FIELD_TOO_LONG", "TOO_MANY_ATTRIBUTES", "RECORD_TOO_LARGE");
    assertThat(recommendations.readValuesToList())
        .extracting(RecommendationList::getTriggerEventId)
        .containsExactly("big-record", "good");
  }

  @Test
  void shouldSendOnlyAReferenceWhenTheDeadLetterWouldNotFitTheProducersRequestSize() {
    start(settings(true).withSafety(StreamSafety.defaults().withDeadLetterMaxBytes(8 * 1024)));
    final byte[] hugeKey = "k".repeat(20 * 1024).getBytes(StandardCharsets.UTF_8);
    final byte[] value = encode(view("s1", "e1", item(0), T0));

    weblog.pipeInput(hugeKey, value, T0);
    weblog.pipeInput(key("someone-else"), value, T0);

    final List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
    assertThat(dead)
        .extracting(r -> header(r, DeadLetterHeaders.REASON))
        .containsExactly("KEY_MISMATCH", "KEY_MISMATCH");
    assertThat(dead.get(0).key()).isNull();
    assertThat(dead.get(0).value()).isNull();
    assertThat(Long.parseLong(header(dead.get(0), DeadLetterHeaders.DROPPED_BYTES)))
        .isGreaterThan(20 * 1024);
    assertThat(header(dead.get(0), DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("0");
    assertThat(header(dead.get(0), DeadLetterHeaders.DETAIL))
        .hasSizeLessThanOrEqualTo(DeadLetterHeaders.MAX_DETAIL_CHARS)
        .contains("20480 characters");
    assertThat(dead.get(1).value()).as("a small one is kept whole").isEqualTo(value);
    assertThat(header(dead.get(1), DeadLetterHeaders.DROPPED_BYTES)).isNull();
  }

  @Test
  void shouldApplyARetriedEventOnceAndEmitNothingForTheRetry() {
    start(settings(true));
    send(view("s1", "e1", item(0), T0));
    send(view("s1", "e2", item(1), T0.plusSeconds(1)));
    final SessionState before = sessions.get("s1");

    send(view("s1", "e2", item(1), T0.plusSeconds(1)));
    send(event("s1", "e1", EventType.PAGE_VIEW, null, T0.plusSeconds(2)));

    assertThat(recommendations.readValuesToList())
        .extracting(RecommendationList::getTriggerEventId)
        .containsExactly("e1", "e2");
    final SessionState after = sessions.get("s1");
    assertThat(after.getEventCount()).isEqualTo(2);
    assertThat(after.getRecentItems()).isEqualTo(before.getRecentItems());
    assertThat(after.getScorerState()).isEqualTo(before.getScorerState());
    assertThat(after.getRecentEventIds()).containsExactly("e1", "e2");
    assertThat(registry.get("insession.duplicate.events").counter().count()).isEqualTo(2.0);
  }

  @Test
  void shouldForgetASessionAfterItsEarlierEventsAndStartAFreshOneAtItsNextEvent() {
    start(settings(true));
    final TestOutputTopic<String, SessionState> changelog =
        driver.createOutputTopic(
            "topology-test-" + SessionStates.STORE_NAME + "-changelog",
            Serdes.String().deserializer(),
            ValueSerdes.storeValue(SessionState.class).deserializer());
    send(view("s2", "o1", item(5), T0));
    // not flushed: with micro-batching both still wait for their batch when the forget comes
    pipe(view("s1", "e1", item(0), T0));
    pipe(view("s1", "e2", item(1), T0.plusSeconds(1)));

    pipe(ForgetRequests.of("s1", "forget-1", T0.plusSeconds(2)));

    assertThat(sessions.get("s1")).as("state deleted").isNull();
    assertThat(sessions.get("s2")).as("other sessions kept").isNotNull();
    final List<TestRecord<String, RecommendationList>> s1 =
        recommendations.readRecordsToList().stream().filter(r -> "s1".equals(r.key())).toList();
    assertThat(s1).as("lists of the earlier events, then a tombstone").hasSize(3);
    assertThat(s1.get(0).value().getTriggerEventId()).isEqualTo("e1");
    assertThat(s1.get(1).value().getTriggerEventId()).isEqualTo("e2");
    assertThat(s1.get(2).value()).isNull();
    assertThat(s1.get(2).timestamp()).isEqualTo(T0.plusSeconds(2).toEpochMilli());
    final Map<String, SessionState> latest = new HashMap<>();
    changelog.readKeyValuesToList().forEach(kv -> latest.put(kv.key, kv.value));
    assertThat(latest).as("changelog: a tombstone for s1 last").containsKey("s1");
    assertThat(latest.get("s1")).isNull();
    assertThat(latest.get("s2")).isNotNull();
    assertThat(registry.get("insession.sessions.forgotten").counter().count()).isEqualTo(1.0);

    send(view("s1", "e1", item(2), T0.plusSeconds(3)));

    final SessionState fresh = sessions.get("s1");
    assertThat(fresh.getEventCount()).isEqualTo(1);
    assertThat(fresh.getRecentItems()).containsExactly(item(2));
    assertThat(fresh.getStartedAt()).isEqualTo(T0.plusSeconds(3));
    assertThat(fresh.getRecentEventIds()).as("the forgotten ids too").containsExactly("e1");
    assertThat(recommendations.readValuesToList())
        .extracting(RecommendationList::getTriggerEventId)
        .containsExactly("e1");
  }

  @Test
  void shouldForgetAnUnknownSessionWithATombstoneAndNothingElse() {
    start(settings(true));

    pipe(ForgetRequests.of("nobody", "forget-1", T0));
    pipe(ForgetRequests.of("nobody", "forget-2", T0.plusSeconds(1)));

    final List<TestRecord<String, RecommendationList>> out = recommendations.readRecordsToList();
    assertThat(out).extracting(TestRecord::key).containsExactly("nobody", "nobody");
    assertThat(out).extracting(TestRecord::value).containsOnlyNulls();
    assertThat(sessions.get("nobody")).isNull();
    assertThat(deadLetters.isEmpty()).isTrue();
  }

  /** Pipes {@code event} without letting a waiting micro-batch be scored. */
  private void pipe(final WeblogEvent event) {
    weblog.pipeInput(key(event.getSessionId()), encode(event), event.getEventTime());
  }

  private static byte[] encode(final WeblogEvent event) {
    return AvroSingleObjectSerde.forType(WeblogEvent.class).serialize("t", event);
  }

  private static String header(final TestRecord<byte[], byte[]> record, final String name) {
    return Optional.ofNullable(record.headers().lastHeader(name))
        .map(Header::value)
        .map(v -> new String(v, StandardCharsets.UTF_8))
        .orElse(null);
  }
}
