package io.insession.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.insession.evaluation.EvaluationReport.CutoffMetrics;
import io.insession.scoring.Candidate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsAccumulatorTest {

  private static final Catalog CATALOG =
      Catalog.of(Map.of("a", 10L, "b", 5L, "c", 5L, "d", 2L, "t", 1L, "u", 0L));

  private static List<Candidate> list(final String... ids) {
    final Candidate[] candidates = new Candidate[ids.length];
    for (int i = 0; i < ids.length; i++) {
      candidates[i] = new Candidate(ids[i], 1f - i * 0.1f);
    }
    return List.of(candidates);
  }

  @Test
  void shouldAverageRecallAndReciprocalRankOverPredictionsWithinTheCutoff() {
    final MetricsAccumulator sums = new MetricsAccumulator(List.of(1, 3), CATALOG);
    sums.add(list("t", "a", "b"), "t"); // rank 1
    sums.add(list("a", "b", "t"), "t"); // rank 3
    sums.add(list("a", "b", "c", "t"), "t"); // rank 4: beyond both cut-offs
    sums.add(list("a", "b"), "t"); // miss

    final List<CutoffMetrics> result = sums.result();

    assertThat(result.get(0).k()).isEqualTo(1);
    assertThat(result.get(0).hits()).isEqualTo(1);
    assertThat(result.get(0).recall()).isCloseTo(0.25, within(1e-12));
    assertThat(result.get(0).mrr()).isCloseTo(0.25, within(1e-12));
    assertThat(result.get(1).hits()).isEqualTo(2);
    assertThat(result.get(1).recall()).isCloseTo(0.5, within(1e-12));
    assertThat(result.get(1).mrr()).isCloseTo((1 + 1.0 / 3) / 4, within(1e-12));
  }

  @Test
  void shouldCountATiedTargetAtItsConservativeRankForTheCutoff() {
    final MetricsAccumulator sums = new MetricsAccumulator(List.of(3, 5), CATALOG);
    sums.add(
        List.of(
            new Candidate("a", 0.9f),
            new Candidate("b", 0.8f),
            new Candidate("t", 0.5f),
            new Candidate("c", 0.5f),
            new Candidate("d", 0.5f)),
        "t");

    final List<CutoffMetrics> result = sums.result();

    assertThat(result.get(0).hits()).isZero();
    assertThat(result.get(0).mrr()).isZero();
    assertThat(result.get(1).hits()).isEqualTo(1);
    assertThat(result.get(1).mrr()).isCloseTo(1.0 / 5, within(1e-12));
  }

  @Test
  void shouldMeasureCoverageOfDistinctRecommendedCatalogItems() {
    final MetricsAccumulator sums = new MetricsAccumulator(List.of(2), CATALOG);
    sums.add(list("a", "b", "c"), "x");
    sums.add(list("a", "not-in-catalog", "d"), "x");

    // top-2 lists: {a, b} and {a, not-in-catalog}: 2 of 6 catalog items
    assertThat(sums.result().get(0).coverage()).isCloseTo(2.0 / 6, within(1e-12));
  }

  @Test
  void shouldMeasurePopularityAsMeanClicksOfRecommendedItemsOverTheMostClicked() {
    final MetricsAccumulator sums = new MetricsAccumulator(List.of(2), CATALOG);
    sums.add(list("a", "b", "c"), "x");
    sums.add(list("d"), "x");

    // slots a (10), b (5), d (2); the most clicked item has 10
    assertThat(sums.result().get(0).popularity()).isCloseTo((10 + 5 + 2) / 30.0, within(1e-12));
  }

  @Test
  void shouldGiveTheSameFiguresWhateverTheMergeOrder() {
    final MetricsAccumulator first = new MetricsAccumulator(List.of(3), CATALOG);
    final MetricsAccumulator second = new MetricsAccumulator(List.of(3), CATALOG);
    first.add(list("t", "a"), "t");
    first.add(list("a", "b", "t"), "t");
    second.add(list("a", "t"), "t");
    final MetricsAccumulator oneWay = new MetricsAccumulator(List.of(3), CATALOG);
    oneWay.merge(first);
    oneWay.merge(second);
    final MetricsAccumulator otherWay = new MetricsAccumulator(List.of(3), CATALOG);
    otherWay.merge(second);
    otherWay.merge(first);

    assertThat(oneWay.result()).isEqualTo(otherWay.result());
    assertThat(oneWay.predictions()).isEqualTo(3);
  }
}
