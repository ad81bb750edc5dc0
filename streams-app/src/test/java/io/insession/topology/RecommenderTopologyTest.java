package io.insession.topology;

import static io.insession.testing.TestEvents.event;
import static io.insession.testing.TestEvents.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.insession.avro.AvroSingleObjectSerde;
import io.insession.config.InSessionConfig;
import io.insession.kafka.Topics;
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
import io.insession.session.SessionStates;
import io.insession.state.BoundedRocksDbMemory;
import io.insession.testing.TestModels;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
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
    }
  }

  /** The settings a test asks for, as this class runs them (a subclass turns batching on). */
  protected TopologySettings adjust(final TopologySettings settings) {
    return settings;
  }

  /** Lets any micro-batch waiting for its wall-clock delay be scored. */
  private void flushBatches() {
    driver.advanceWallClockTime(Duration.ofMillis(BATCH_DELAY_MS));
  }

  private void start(final TopologySettings requested) {
    final TopologySettings settings = adjust(requested);
    final Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class);
    driver =
        new TopologyTestDriver(
            RecommenderTopology.build(
                settings, scorer, topics, Clock.fixed(EMITTED, ZoneOffset.UTC)),
            props);
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

    send(view("other", "o1", item(1), T0.plusMillis(GAP - 1)));
    assertThat(sessions.get("s1")).isNotNull();

    send(view("other", "o2", item(2), T0.plusMillis(GAP)));
    assertThat(sessions.get("s1")).as("inactive for exactly the gap: still alive").isNotNull();

    send(view("other", "o3", item(3), T0.plusMillis(GAP + 1)));
    assertThat(sessions.get("s1")).isNull();
    assertThat(sessions.get("other")).isNotNull();
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
  void shouldResetTheScorerStateWrittenByAnotherModelVersion() {
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
    assertThat(state.getRecentItems()).containsExactly(item(5), item(0));
    assertThat(SessionStates.scorerState(state))
        .isEqualTo(scorer.step(new StepRequest(new byte[0], List.of(), item(0))).state());
  }

  private static String header(final TestRecord<byte[], byte[]> record, final String name) {
    return Optional.ofNullable(record.headers().lastHeader(name))
        .map(Header::value)
        .map(v -> new String(v, StandardCharsets.UTF_8))
        .orElse(null);
  }
}
