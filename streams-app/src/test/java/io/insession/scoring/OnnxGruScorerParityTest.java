package io.insession.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Java side of the exporter's parity fixture: parity.json holds fixed inputs and the exporter's
 * outputs (PyTorch's for a float bundle, the int8 graph's own for a quantised one; see
 * docs/model-bundle.md; the IVF graph's own for an IVF bundle); ONNX Runtime Java must reproduce
 * them, both when called directly and through the scorer's tensor building and output decoding. A
 * repeat-aware bundle's cases also carry {@code recent_items} (repeats within a row, padding, an
 * unknown item between known ones); through the scorer they become each request's recent items (an
 * unknown item as an id the model lacks).
 */
class OnnxGruScorerParityTest {

  private static final double TOLERANCE = 1e-4;
  private static final Logger LOG = LoggerFactory.getLogger(OnnxGruScorerParityTest.class);

  private static OnnxRuntime runtime;

  /** One batch of parity.json ({@code recentItems} null for a plain model). */
  record ParityCase(
      long[] itemIdx,
      float[][] hidden,
      long[][] recentItems,
      float[][] newHidden,
      float[][] topkScores,
      long[][] topkItems) {}

  /** A bundle and its parity cases. */
  record Fixture(String name, ModelBundle bundle, List<ParityCase> cases) {}

  /** Each test bundle (float, and int8 made from it) with its parity cases. */
  static Stream<Arguments> bundles() {
    return Stream.of(
            "tiny", "tiny-int8", "tiny-repeat", "tiny-repeat-int8", "tiny-mixture", "tiny-ivf")
        .map(OnnxGruScorerParityTest::load)
        .map(f -> Arguments.of(f.name(), f.bundle(), f.cases()));
  }

  @BeforeAll
  static void startRuntime() {
    runtime = OnnxRuntime.create(OnnxRuntimeSettings.defaults());
  }

  private static Fixture load(final String name) {
    final ModelBundle bundle = ModelBundle.load(TestBundles.named(name));
    final List<ParityCase> cases = new ArrayList<>();
    try {
      final JsonNode root =
          TestBundles.JSON.readTree(bundle.directory().resolve(ModelBundle.PARITY_FILE).toFile());
      for (final JsonNode c : root.get("cases")) {
        cases.add(
            new ParityCase(
                TestBundles.JSON.treeToValue(c.get("item_idx"), long[].class),
                TestBundles.JSON.treeToValue(c.get("hidden"), float[][].class),
                c.has("recent_items")
                    ? TestBundles.JSON.treeToValue(c.get("recent_items"), long[][].class)
                    : null,
                TestBundles.JSON.treeToValue(c.get("new_hidden"), float[][].class),
                TestBundles.JSON.treeToValue(c.get("topk_scores"), float[][].class),
                TestBundles.JSON.treeToValue(c.get("topk_items"), long[][].class)));
      }
    } catch (final IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Fixture(name, bundle, cases);
  }

  @ParameterizedTest
  @MethodSource("bundles")
  void shouldHaveAParityFixtureWithBatchesOfSeveralSessions(
      final String name, final ModelBundle bundle, final List<ParityCase> cases) {
    assertThat(cases).isNotEmpty();
    assertThat(cases).allSatisfy(c -> assertThat(c.itemIdx()).hasSizeGreaterThan(1));
    assertThat(cases)
        .allSatisfy(c -> assertThat(c.recentItems() != null).isEqualTo(bundle.recentItems() > 0));
  }

  @ParameterizedTest
  @MethodSource("bundles")
  void shouldCoverRepeatsPaddingAndUnknownItemsInARepeatFixture(
      final String name, final ModelBundle bundle, final List<ParityCase> cases) {
    final int width = bundle.recentItems();
    if (width == 0) {
      return; // a plain model has no recent_items input
    }
    final List<long[]> rows = new ArrayList<>();
    for (final ParityCase c : cases) {
      for (int r = 0; r < c.itemIdx().length; r++) {
        assertThat(c.recentItems()[r]).hasSize(width);
        assertThat(c.recentItems()[r][0])
            .as("the window starts with the current click")
            .isEqualTo(c.itemIdx()[r]);
        rows.add(c.recentItems()[r]);
      }
    }
    assertThat(rows)
        .as("a row with repeated items")
        .anyMatch(row -> distinctKnown(row) < known(row));
    assertThat(rows).as("a row of padding after the click").anyMatch(row -> known(row) == 1);
    assertThat(rows).as("a full row").anyMatch(row -> known(row) == width);
    assertThat(rows)
        .as("an unknown item between known ones")
        .anyMatch(row -> lastKnown(row) > known(row) - 1);
  }

  @ParameterizedTest
  @MethodSource("bundles")
  void shouldMatchTheExportersOutputsOnTheParityFixture(
      final String name, final ModelBundle bundle, final List<ParityCase> cases) throws Exception {
    double maxScoreDiff = 0;
    double maxHiddenDiff = 0;
    try (OrtSession session = runtime.createSession(bundle.modelFile())) {
      for (int n = 0; n < cases.size(); n++) {
        final ParityCase c = cases.get(n);
        final int rows = c.itemIdx().length;
        try (OnnxTensor items =
                OnnxTensor.createTensor(
                    runtime.environment(), LongBuffer.wrap(c.itemIdx()), new long[] {rows});
            OnnxTensor hidden =
                OnnxTensor.createTensor(
                    runtime.environment(),
                    FloatBuffer.wrap(flatten(c.hidden())),
                    new long[] {rows, bundle.hiddenSize()});
            OnnxTensor recent =
                c.recentItems() == null
                    ? null
                    : OnnxTensor.createTensor(
                        runtime.environment(),
                        LongBuffer.wrap(flatten(c.recentItems())),
                        new long[] {rows, bundle.recentItems()});
            OrtSession.Result result =
                session.run(
                    recent == null
                        ? Map.of("item_idx", items, "hidden", hidden)
                        : Map.of("item_idx", items, "hidden", hidden, "recent_items", recent))) {
          final float[][] newHidden =
              (float[][]) ((OnnxTensor) result.get("new_hidden").orElseThrow()).getValue();
          final float[][] scores =
              (float[][]) ((OnnxTensor) result.get("topk_scores").orElseThrow()).getValue();
          final long[][] topItems =
              (long[][]) ((OnnxTensor) result.get("topk_items").orElseThrow()).getValue();
          for (int r = 0; r < rows; r++) {
            final String where = "case " + n + " row " + r;
            assertThat(topItems[r]).as(where + " topk_items").containsExactly(c.topkItems()[r]);
            assertThat(scores[r])
                .as(where + " topk_scores")
                .containsExactly(c.topkScores()[r], within((float) TOLERANCE));
            assertThat(newHidden[r])
                .as(where + " new_hidden")
                .containsExactly(c.newHidden()[r], within((float) TOLERANCE));
            maxScoreDiff = Math.max(maxScoreDiff, maxAbsDiff(scores[r], c.topkScores()[r]));
            maxHiddenDiff = Math.max(maxHiddenDiff, maxAbsDiff(newHidden[r], c.newHidden()[r]));
          }
        }
      }
    }
    LOG.info(
        "Parity of {} over {} cases: max |diff| scores {}, hidden {}",
        name,
        cases.size(),
        maxScoreDiff,
        maxHiddenDiff);
  }

  @ParameterizedTest
  @MethodSource("bundles")
  void shouldMatchTheExportersOutputsThroughTheScorersBatchedStep(
      final String name, final ModelBundle bundle, final List<ParityCase> cases) {
    try (OnnxGruScorer scorer = OnnxGruScorer.create(bundle, runtime)) {
      final HiddenStateCodec codec = scorer.stateCodec();
      for (int n = 0; n < cases.size(); n++) {
        final ParityCase c = cases.get(n);
        final List<StepRequest> requests = new ArrayList<>();
        for (int r = 0; r < c.itemIdx().length; r++) {
          requests.add(
              new StepRequest(
                  codec.encode(c.hidden()[r]),
                  earlierItems(bundle, c.recentItems() == null ? null : c.recentItems()[r]),
                  bundle.itemId((int) c.itemIdx()[r])));
        }

        final List<StepResult> results = scorer.stepAll(requests);

        assertThat(results).hasSize(requests.size());
        for (int r = 0; r < results.size(); r++) {
          assertMatchesRow(bundle, codec, c, r, results.get(r), "case " + n + " row " + r);
        }
      }
    }
  }

  @Test
  void shouldReturnTheSameListsWhenAnIndexSearchBatchIsSplitAcrossCalls() {
    final Fixture fixture = load("tiny-ivf");
    final ModelBundle bundle = fixture.bundle();
    final Retrieval retrieval = bundle.retrieval();
    // a budget of two sessions' gathered rows: every batch of the fixture is split into calls of 2
    final long twoSessions = 2L * retrieval.candidates() * (bundle.hiddenSize() + 2) * Float.BYTES;
    try (OnnxGruScorer scorer = OnnxGruScorer.create(bundle, runtime, twoSessions)) {
      assertThat(scorer.sessionsPerCall()).isEqualTo(2);
      final HiddenStateCodec codec = scorer.stateCodec();
      final ParityCase c =
          fixture.cases().stream().max((a, b) -> a.itemIdx().length - b.itemIdx().length).get();
      assertThat(c.itemIdx().length).as("a batch that needs several calls").isGreaterThan(2);
      final List<StepRequest> requests = new ArrayList<>();
      for (int r = 0; r < c.itemIdx().length; r++) {
        requests.add(
            new StepRequest(
                codec.encode(c.hidden()[r]), List.of(), bundle.itemId((int) c.itemIdx()[r])));
      }
      requests.add(1, new StepRequest(new byte[0], List.of(), "an item the model lacks"));

      final List<StepResult> results = scorer.stepAll(requests);

      assertThat(results).hasSize(requests.size());
      assertThat(results.get(1).itemKnown()).isFalse();
      final List<StepResult> known = new ArrayList<>(results);
      known.remove(1);
      for (int r = 0; r < known.size(); r++) {
        assertMatchesRow(bundle, codec, c, r, known.get(r), "split batch row " + r);
      }
    }
  }

  private static void assertMatchesRow(
      final ModelBundle bundle,
      final HiddenStateCodec codec,
      final ParityCase c,
      final int r,
      final StepResult result,
      final String where) {
    assertThat(result.itemKnown()).isTrue();
    assertThat(result.candidates())
        .as(where + " item ids")
        .extracting(Candidate::itemId)
        .containsExactlyElementsOf(itemIds(bundle, c.topkItems()[r]));
    final float[] scores = new float[result.candidates().size()];
    for (int k = 0; k < scores.length; k++) {
      scores[k] = result.candidates().get(k).score();
    }
    assertThat(scores)
        .as(where + " scores")
        .containsExactly(c.topkScores()[r], within((float) TOLERANCE));
    assertThat(codec.decode(result.state()))
        .as(where + " new state")
        .containsExactly(c.newHidden()[r], within((float) TOLERANCE));
  }

  @ParameterizedTest
  @MethodSource("bundles")
  void shouldTreatAnEmptyStateLikeTheZeroHiddenStateOfTheFixture(
      final String name, final ModelBundle bundle, final List<ParityCase> cases) {
    final ParityCase fromZeros =
        cases.stream()
            .filter(c -> isZero(c.hidden()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("parity.json has no case from zero states"));
    try (OnnxGruScorer scorer = OnnxGruScorer.create(bundle, runtime)) {
      for (int r = 0; r < fromZeros.itemIdx().length; r++) {
        final StepResult result =
            scorer.step(
                new StepRequest(
                    new byte[0],
                    earlierItems(
                        bundle,
                        fromZeros.recentItems() == null ? null : fromZeros.recentItems()[r]),
                    bundle.itemId((int) fromZeros.itemIdx()[r])));

        assertThat(result.candidates())
            .extracting(Candidate::itemId)
            .containsExactlyElementsOf(itemIds(bundle, fromZeros.topkItems()[r]));
        assertThat(scorer.stateCodec().decode(result.state()))
            .containsExactly(fromZeros.newHidden()[r], within((float) TOLERANCE));
      }
    }
  }

  /**
   * A request's recent items (oldest first) for a fixture window (the current click first, then the
   * earlier items from the most recent back): trailing −1 are padding (a shorter session), a −1
   * before a known item is an item the model does not know.
   */
  private static List<String> earlierItems(final ModelBundle bundle, final long[] window) {
    if (window == null) {
      return List.of();
    }
    final List<String> earlier = new ArrayList<>();
    for (int j = lastKnown(window); j >= 1; j--) {
      earlier.add(window[j] >= 0 ? bundle.itemId((int) window[j]) : "not-in-the-model-" + j);
    }
    return earlier;
  }

  private static int lastKnown(final long[] row) {
    int last = 0;
    for (int j = 0; j < row.length; j++) {
      if (row[j] >= 0) {
        last = j;
      }
    }
    return last;
  }

  private static int known(final long[] row) {
    return (int) Arrays.stream(row).filter(i -> i >= 0).count();
  }

  private static int distinctKnown(final long[] row) {
    return (int) Arrays.stream(row).filter(i -> i >= 0).distinct().count();
  }

  private static long[] flatten(final long[][] rows) {
    final int width = rows[0].length;
    final long[] flat = new long[rows.length * width];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(rows[r], 0, flat, r * width, width);
    }
    return flat;
  }

  private static List<String> itemIds(final ModelBundle bundle, final long[] indices) {
    final List<String> ids = new ArrayList<>();
    for (final long index : indices) {
      ids.add(bundle.itemId((int) index));
    }
    return ids;
  }

  private static double maxAbsDiff(final float[] a, final float[] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }

  private static boolean isZero(final float[][] hidden) {
    for (final float[] row : hidden) {
      for (final float value : row) {
        if (value != 0f) {
          return false;
        }
      }
    }
    return true;
  }

  private static float[] flatten(final float[][] rows) {
    final int width = rows[0].length;
    final float[] flat = new float[rows.length * width];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(rows[r], 0, flat, r * width, width);
    }
    return flat;
  }
}
