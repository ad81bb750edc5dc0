package io.insession.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.insession.config.InSessionConfig;
import io.insession.runtime.Scoring;
import io.insession.testing.TestModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Function;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A repeat-aware bundle ({@code tiny-repeat}, R = 5) through the scorer: the {@code recent_items}
 * window it builds from a request, batching, and the start-up check of how many items a session
 * remembers.
 */
class RepeatAwareScoringTest {

  private static final int R = 5;

  private static ModelBundle bundle;
  private static OnnxGruScorer scorer;

  @BeforeAll
  static void open() {
    bundle = ModelBundle.load(TestBundles.named("tiny-repeat"));
    scorer = OnnxGruScorer.create(bundle, OnnxRuntime.create(OnnxRuntimeSettings.defaults()));
  }

  @AfterAll
  static void close() {
    scorer.close();
  }

  @Test
  void shouldBuildTheWindowCurrentItemFirstThenTheEarlierItemsMostRecentBack() {
    final Map<String, Integer> index = Map.of("a", 10, "b", 11, "c", 12, "d", 13, "e", 14);
    final GruInputs inputs = new GruInputs(4, 2, 4);
    final HiddenStateCodec codec = new HiddenStateCodec(2, new ModelInfo("m", "1"));
    final Function<String, OptionalInt> indexOf =
        id -> index.containsKey(id) ? OptionalInt.of(index.get(id)) : OptionalInt.empty();

    inputs.add(7, new byte[0], codec, List.of("a", "b", "c", "d", "e"), indexOf); // truncated
    inputs.add(3, new byte[0], codec, List.of("b"), indexOf); // padded
    inputs.add(5, new byte[0], codec, List.of("a", "not-in-the-model", "b"), indexOf); // unknown
    inputs.add(4, new byte[0], codec, List.of(), indexOf); // a new session

    assertThat(inputs.recentShape()).containsExactly(4, 4);
    assertThat(inputs.recentItems())
        .containsExactly(7, 14, 13, 12, 3, 11, -1, -1, 5, 11, -1, 10, 4, -1, -1, -1);
  }

  @Test
  void shouldHaveNoWindowForAPlainModel() {
    final GruInputs inputs = new GruInputs(1, 2, 0);
    inputs.add(
        1,
        new byte[0],
        new HiddenStateCodec(2, new ModelInfo("m", "1")),
        List.of("a"),
        id -> OptionalInt.empty());

    assertThat(inputs.hasRecentItems()).isFalse();
    assertThat(inputs.recentItems()).isEmpty();
  }

  @Test
  void shouldLetTheSessionsRecentItemsChangeTheList() {
    final String item = bundle.itemId(3);
    final List<String> history = List.of(bundle.itemId(40), bundle.itemId(3), bundle.itemId(90));

    final StepResult alone = scorer.step(new StepRequest(new byte[0], List.of(), item));
    final StepResult withHistory = scorer.step(new StepRequest(new byte[0], history, item));

    // the GRU step is the same (same state, same item): only the repeat bonus differs
    assertThat(withHistory.state()).isEqualTo(alone.state());
    assertThat(scores(withHistory)).isNotEqualTo(scores(alone));
  }

  @Test
  void shouldSeeOnlyTheLastRMinusOneEarlierItems() {
    final List<String> lastFour =
        List.of(bundle.itemId(5), bundle.itemId(6), bundle.itemId(5), bundle.itemId(8));
    final List<String> longer = new ArrayList<>(List.of(bundle.itemId(100), bundle.itemId(101)));
    longer.addAll(lastFour);

    final StepResult expected =
        scorer.step(new StepRequest(new byte[0], lastFour, bundle.itemId(2)));
    final StepResult actual = scorer.step(new StepRequest(new byte[0], longer, bundle.itemId(2)));

    assertThat(actual.candidates()).isEqualTo(expected.candidates());
    assertThat(lastFour).hasSize(R - 1);
  }

  @Test
  void shouldGiveTheSameResultsInABatchAsOneStepAtATime() {
    final List<StepRequest> requests =
        List.of(
            new StepRequest(new byte[0], List.of(), bundle.itemId(1)),
            new StepRequest(new byte[0], List.of(bundle.itemId(1), bundle.itemId(1)), "unknown"),
            new StepRequest(
                new byte[0],
                List.of(bundle.itemId(7), "unknown", bundle.itemId(2)),
                bundle.itemId(7)),
            new StepRequest(new byte[0], List.of(bundle.itemId(2)), bundle.itemId(2)));

    final List<StepResult> batch = scorer.stepAll(requests);

    assertThat(batch).hasSize(requests.size());
    for (int i = 0; i < requests.size(); i++) {
      final StepResult single = scorer.step(requests.get(i));
      assertThat(batch.get(i).candidates()).as("request " + i).isEqualTo(single.candidates());
      assertThat(batch.get(i).state()).as("request " + i).isEqualTo(single.state());
    }
    assertThat(batch.get(1).itemKnown()).isFalse();
  }

  @Test
  void shouldRefuseAConfigThatRemembersFewerItemsThanTheModelReads() {
    assertThat(scorer.rememberedItemsNeeded()).isEqualTo(R - 1);
    final InSessionConfig tooFew =
        InSessionConfig.of(Map.of(InSessionConfig.SESSION_RECENT_ITEMS, Integer.toString(R - 2)));

    assertThatThrownBy(() -> Scoring.requireRememberedItems(scorer, tooFew))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(InSessionConfig.SESSION_RECENT_ITEMS)
        .hasMessageContaining("gru4rec-tiny-repeat")
        .hasMessageContaining("set insession.session.recent.items to at least " + (R - 1));
    assertThatCode(
            () ->
                Scoring.requireRememberedItems(
                    scorer,
                    InSessionConfig.of(
                        Map.of(InSessionConfig.SESSION_RECENT_ITEMS, Integer.toString(R - 1)))))
        .doesNotThrowAnyException();
    try (OnnxGruScorer plain = TestModels.tinyGruScorer()) {
      assertThat(plain.rememberedItemsNeeded()).isZero();
      assertThatCode(
              () ->
                  Scoring.requireRememberedItems(
                      plain, InSessionConfig.of(Map.of(InSessionConfig.SESSION_RECENT_ITEMS, "1"))))
          .doesNotThrowAnyException();
    }
  }

  private static List<Float> scores(final StepResult result) {
    return result.candidates().stream().map(Candidate::score).toList();
  }
}
