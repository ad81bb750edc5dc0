package io.insession.topology;

import static io.insession.testing.TestEvents.event;
import static io.insession.testing.TestEvents.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.insession.metrics.MicrometerTopologyMetrics;
import io.insession.schemas.EventType;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.ScoredItem;
import io.insession.schemas.SessionState;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.CurrentVariants;
import io.insession.scoring.ModelInfo;
import io.insession.scoring.OnnxGruScorer;
import io.insession.scoring.ScorerVariants;
import io.insession.scoring.StepRequest;
import io.insession.session.SessionStates;
import io.insession.testing.TestModels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Warm sessions across model versions, micro-batched: the served set is replaced (the tiny bundle,
 * then its int8 build: another model name and version) and a session started before the switch is
 * re-encoded by the new model from its recent items on its next item event, never reset.
 */
class WarmSessionsTopologyTest {

  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  private static OnnxGruScorer before;
  private static OnnxGruScorer after;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private CurrentVariants current;
  private BatchedVariantsDriver driver;
  private KeyValueStore<String, SessionState> sessions;

  @BeforeAll
  static void loadModels() {
    before = TestModels.tinyGruScorer();
    after = TestModels.gruScorer("tiny-int8");
  }

  @AfterAll
  static void closeModels() {
    before.close();
    after.close();
  }

  @BeforeEach
  void start() {
    assertThat(after.model()).isNotEqualTo(before.model());
    current = new CurrentVariants(ScorerVariants.single(before));
    driver = new BatchedVariantsDriver(current, registry, "warm-sessions-test");
    sessions = driver.sessions();
  }

  @AfterEach
  void closeDriver() {
    driver.close();
  }

  @Test
  void shouldReencodeSessionsStartedBeforeTheSwitchExactlyAsFreshSessionsOnTheNewModel() {
    // two sessions on the first model, of 3 and 1 items
    pipe(view("long", "l1", item(3), T0));
    pipe(view("short", "s1", item(7), T0));
    pipe(view("long", "l2", item(1), T0.plusSeconds(1)));
    pipe(view("long", "l3", item(4), T0.plusSeconds(2)));
    driver.flushBatch();
    assertThat(sessions.get("long").getModelVersion()).isEqualTo(before.model().version());
    driver.lists();

    current.replace(ScorerVariants.single(after));
    // a page view only keeps the session alive: the state still names the model that wrote it
    pipe(event("short", "s2", EventType.PAGE_VIEW, null, T0.plusSeconds(3)));
    driver.flushBatch();
    assertThat(sessions.get("short").getModelVersion()).isEqualTo(before.model().version());
    // both next item events in one batch, beside fresh sessions fed the same items on the new model
    pipe(view("long", "l4", item(2), T0.plusSeconds(4)));
    pipe(view("short", "s3", item(5), T0.plusSeconds(4)));
    for (final String fresh : List.of("fresh-long", "fresh-short")) {
      final List<String> items =
          fresh.equals("fresh-long")
              ? List.of(item(3), item(1), item(4), item(2))
              : List.of(item(7), item(5));
      for (int i = 0; i < items.size(); i++) {
        pipe(view(fresh, fresh + i, items.get(i), T0.plusSeconds(4)));
      }
    }
    driver.flushBatch();

    final Map<String, RecommendationList> last = lastListBySession();
    for (final String session : List.of("long", "short")) {
      final RecommendationList warm = last.get(session);
      final RecommendationList fresh = last.get("fresh-" + session);
      assertThat(warm.getModelName()).isEqualTo(after.model().name());
      assertThat(warm.getModelVersion()).isEqualTo(after.model().version());
      assertThat(warm.getFallback()).isFalse();
      assertThat(scored(warm)).as(session).isEqualTo(scored(fresh));
      final SessionState state = sessions.get(session);
      assertThat(state.getModelVersion()).isEqualTo(after.model().version());
      assertThat(state.getRecentItems())
          .isEqualTo(sessions.get("fresh-" + session).getRecentItems());
      assertThat(SessionStates.scorerState(state))
          .as("%s is stepped over its items then the event, as a fresh session", session)
          .isEqualTo(SessionStates.scorerState(sessions.get("fresh-" + session)))
          .as("%s is not reset", session)
          .isNotEqualTo(
              after
                  .step(
                      new StepRequest(
                          new byte[0],
                          List.of(),
                          state.getRecentItems().get(state.getRecentItems().size() - 1)))
                  .state());
    }
    assertThat(reencodedSessions()).isEqualTo(2.0);
    assertThat(reencodedSteps()).as("3 items of long, 1 of short").isEqualTo(4.0);
  }

  @Test
  void shouldServeASessionWhoseItemsTheNewModelDoesNotKnowAsAColdSession() {
    final SessionState old =
        SessionStates.advance(
            SessionStates.advance(
                SessionStates.start(new ModelInfo("retired-model", "v1"), T0),
                "gone-1",
                new byte[] {9, 9, 9},
                true,
                T0,
                50),
            "gone-2",
            new byte[] {7, 7, 7},
            true,
            T0,
            50);
    sessions.put("s1", old);

    pipe(view("s1", "e3", item(0), T0.plusSeconds(1)));
    pipe(view("cold", "c1", item(0), T0.plusSeconds(1)));
    driver.flushBatch();

    final Map<String, RecommendationList> last = lastListBySession();
    assertThat(scored(last.get("s1"))).isEqualTo(scored(last.get("cold")));
    final SessionState state = sessions.get("s1");
    assertThat(state.getModelName()).isEqualTo(before.model().name());
    assertThat(state.getRecentItems()).containsExactly("gone-1", "gone-2", item(0));
    assertThat(state.getKnownItemCount()).isEqualTo(1);
    assertThat(SessionStates.scorerState(state))
        .isEqualTo(SessionStates.scorerState(sessions.get("cold")));
    assertThat(reencodedSessions()).isEqualTo(1.0);
    assertThat(reencodedSteps()).isEqualTo(2.0);
  }

  private double reencodedSessions() {
    return registry
        .get("insession.reencoded.sessions")
        .tag(MicrometerTopologyMetrics.VARIANT_TAG, ScorerVariants.DEFAULT)
        .counter()
        .count();
  }

  private double reencodedSteps() {
    return registry
        .get("insession.reencoded.steps")
        .tag(MicrometerTopologyMetrics.VARIANT_TAG, ScorerVariants.DEFAULT)
        .counter()
        .count();
  }

  private void pipe(final WeblogEvent event) {
    driver.pipe(event);
  }

  private Map<String, RecommendationList> lastListBySession() {
    final Map<String, RecommendationList> lists = new HashMap<>();
    for (final RecommendationList list : driver.lists()) {
      lists.put(list.getSessionId(), list);
    }
    return lists;
  }

  private static List<ScoredItem> scored(final RecommendationList list) {
    return list.getItems();
  }

  private static String item(final int index) {
    return TestModels.tinyItemId(index);
  }
}
