package io.insession.topology;

import static io.insession.testing.TestEvents.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.insession.metrics.MicrometerTopologyMetrics;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.ScoredItem;
import io.insession.schemas.SessionState;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.Candidate;
import io.insession.scoring.CurrentVariants;
import io.insession.scoring.OnnxGruScorer;
import io.insession.scoring.PopularityScorer;
import io.insession.scoring.ScorerVariant;
import io.insession.scoring.ScorerVariants;
import io.insession.scoring.StepRequest;
import io.insession.session.SessionStates;
import io.insession.testing.TestModels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two variants in one topology, micro-batched: the GRU of the tiny bundle and the popularity
 * control of the same bundle, each at weight 1. Each session is scored by its sticky variant and
 * each list carries that variant and its model's name and version.
 */
class VariantTopologyTest {

  private static final int SESSION_COUNT = 40;
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  private static OnnxGruScorer gru;
  private static PopularityScorer popular;
  private static ScorerVariants variants;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private BatchedVariantsDriver driver;
  private KeyValueStore<String, SessionState> sessions;

  @BeforeAll
  static void loadModels() {
    gru = TestModels.tinyGruScorer();
    popular = PopularityScorer.fromBundle(gru.bundle());
    variants =
        ScorerVariants.of(
            List.of(new ScorerVariant("gru", 1, gru), new ScorerVariant("control", 1, popular)),
            "variant-topology-test");
  }

  @AfterAll
  static void closeModels() {
    variants.close();
  }

  @AfterEach
  void closeDriver() {
    driver.close();
  }

  @Test
  void shouldScoreEachSessionWithItsVariantAndLabelEveryListWithVariantAndModel() {
    start();

    for (int i = 0; i < SESSION_COUNT; i++) {
      pipe(view(session(i), "e1", TestModels.tinyItemId(0), T0));
    }
    for (int i = 0; i < SESSION_COUNT; i++) {
      pipe(view(session(i), "e2", TestModels.tinyItemId(1), T0.plusSeconds(1)));
    }
    driver.flushBatch();

    final List<RecommendationList> lists = driver.lists();
    assertThat(lists).hasSize(2 * SESSION_COUNT);
    final Set<String> served = new HashSet<>();
    for (final RecommendationList list : lists) {
      final ScorerVariant variant = variants.variantFor(list.getSessionId());
      served.add(variant.name());
      assertThat(list.getVariant()).as(list.getSessionId()).isEqualTo(variant.name());
      assertThat(list.getModelName()).isEqualTo(variant.scorer().model().name());
      assertThat(list.getModelVersion()).isEqualTo(variant.scorer().model().version());
      if (list.getTriggerEventId().equals("e1")) {
        assertThat(ids(list))
            .as("the first list of %s comes from its variant's scorer", list.getSessionId())
            .isEqualTo(firstList(variant));
      }
      assertThat(sessions.get(list.getSessionId()).getVariant()).isEqualTo(variant.name());
    }
    assertThat(served).containsExactlyInAnyOrder("gru", "control");
    for (final String variant : served) {
      final long listsOfVariant =
          lists.stream().filter(l -> l.getVariant().equals(variant)).count();
      assertThat(
              registry
                  .get("insession.lists.out")
                  .tag(MicrometerTopologyMetrics.VARIANT_TAG, variant)
                  .counter()
                  .count())
          .as("lists out of %s", variant)
          .isEqualTo((double) listsOfVariant);
      assertThat(
              registry
                  .get("insession.end.to.end.latency")
                  .tag(MicrometerTopologyMetrics.VARIANT_TAG, variant)
                  .timer()
                  .count())
          .isEqualTo(listsOfVariant);
      assertThat(
              registry
                  .get("insession.scoring.batch.size")
                  .tag(MicrometerTopologyMetrics.VARIANT_TAG, variant)
                  .summary()
                  .totalAmount())
          .as("each list of %s came from one step of its scorer", variant)
          .isEqualTo((double) listsOfVariant);
    }
    assertThat(gru.model().name()).isNotEqualTo(popular.model().name());
  }

  @Test
  void shouldKeepTheVariantStoredInTheSessionAndReassignOneTheSetNoLongerHas() {
    start();
    final String kept = sessionAssignedTo("gru");
    final String orphan = sessionAssignedTo("control");
    // a live session stored as "control", whose id the set would now assign to "gru"
    sessions.put(kept, SessionStates.start("control", popular.model(), T0));
    // a live session of a variant the set no longer has
    sessions.put(orphan, SessionStates.start("retired", gru.model(), T0));

    pipe(view(kept, "e1", TestModels.tinyItemId(0), T0.plusSeconds(1)));
    pipe(view(orphan, "e1", TestModels.tinyItemId(0), T0.plusSeconds(1)));
    driver.flushBatch();

    final Map<String, RecommendationList> bySession = bySession();
    assertThat(bySession.get(kept).getVariant()).isEqualTo("control");
    assertThat(bySession.get(kept).getModelName()).isEqualTo(popular.model().name());
    assertThat(bySession.get(orphan).getVariant()).isEqualTo("control");
    assertThat(bySession.get(orphan).getModelName()).isEqualTo(popular.model().name());
    assertThat(sessions.get(orphan).getVariant()).isEqualTo("control");
  }

  private void start() {
    driver =
        new BatchedVariantsDriver(new CurrentVariants(variants), registry, "variant-topology-test");
    sessions = driver.sessions();
  }

  private void pipe(final WeblogEvent event) {
    driver.pipe(event);
  }

  private Map<String, RecommendationList> bySession() {
    final Map<String, RecommendationList> lists = new HashMap<>();
    for (final RecommendationList list : driver.lists()) {
      lists.put(list.getSessionId(), list);
    }
    return lists;
  }

  private static String sessionAssignedTo(final String variant) {
    for (int i = 0; ; i++) {
      if (variants.variantFor(session(i)).name().equals(variant)) {
        return session(i);
      }
    }
  }

  private static List<String> firstList(final ScorerVariant variant) {
    return variant
        .scorer()
        .step(new StepRequest(new byte[0], List.of(), TestModels.tinyItemId(0)))
        .candidates()
        .stream()
        .limit(BatchedVariantsDriver.LIST_LENGTH)
        .map(Candidate::itemId)
        .toList();
  }

  private static List<String> ids(final RecommendationList list) {
    return list.getItems().stream().map(ScoredItem::getItemId).toList();
  }

  private static String session(final int i) {
    return "session-" + i;
  }
}
