package io.insession.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The gate's arithmetic on hand-made outcomes (ranks per prediction, worked out by hand). */
class PromotionGateTest {

  private static final PromotionGate.Rule RULE = new PromotionGate.Rule(20, 0.01, 0.95, 500, 7L);

  /** {@code ranks[s]} are the ranks of session s's predictions ({@link Ranking#MISS} = 0). */
  private static PromotionGate.Outcomes outcomes(final int[]... ranks) {
    final PromotionGate.Outcomes outcomes = new PromotionGate.Outcomes(20);
    for (int s = 0; s < ranks.length; s++) {
      for (final int rank : ranks[s]) {
        outcomes.add("s" + s, rank);
      }
    }
    return outcomes;
  }

  @Test
  void shouldComputeTheMetricsAsTheEvaluationDoes() {
    // current: ranks 1, miss | 2 | 4, miss, 1 -> 4 hits of 6; RR 1 + 1/2 + 1/4 + 1 = 2.75
    // candidate: 1, 1 | miss | 2, 2, 2 -> 5 hits of 6; RR 1 + 1 + 1/2 * 3 = 3.5
    final PromotionGate.Verdict verdict =
        PromotionGate.judge(
            "candidate",
            outcomes(new int[] {1, 1}, new int[] {0}, new int[] {2, 2, 2}),
            "current",
            outcomes(new int[] {1, 0}, new int[] {2}, new int[] {4, 0, 1}),
            RULE);

    assertThat(verdict.sessions()).isEqualTo(3);
    assertThat(verdict.predictions()).isEqualTo(6);
    final PromotionGate.Comparison recall = verdict.comparisons().get(0);
    assertThat(recall.metric()).isEqualTo("Recall@20");
    assertThat(recall.current()).isCloseTo(4.0 / 6, within(1e-12));
    assertThat(recall.candidate()).isCloseTo(5.0 / 6, within(1e-12));
    assertThat(recall.difference()).isCloseTo(1.0 / 6, within(1e-12));
    assertThat(recall.allowed()).isCloseTo(-0.01 * 4 / 6, within(1e-12));
    final PromotionGate.Comparison mrr = verdict.comparisons().get(1);
    assertThat(mrr.metric()).isEqualTo("MRR@20");
    assertThat(mrr.current()).isCloseTo(2.75 / 6, within(1e-12));
    assertThat(mrr.candidate()).isCloseTo(3.5 / 6, within(1e-12));
  }

  @Test
  void shouldPassAnEqualCandidateWithNoMargin() {
    final int[][] same = {{1, 3}, {0}, {2, 0, 5}};
    final PromotionGate.Rule strict = new PromotionGate.Rule(20, 0.0, 0.95, 500, 1L);

    final PromotionGate.Verdict verdict =
        PromotionGate.judge("candidate", outcomes(same), "current", outcomes(same), strict);

    // every bootstrap difference is exactly 0
    assertThat(verdict.comparisons())
        .allSatisfy(
            c -> {
              assertThat(c.lowerBound()).isZero();
              assertThat(c.passed()).isTrue();
            });
    assertThat(verdict.passed()).isTrue();
  }

  @Test
  void shouldFailACandidateThatIsWorseInEverySession() {
    final int[][] good = new int[40][];
    final int[][] bad = new int[40][];
    for (int s = 0; s < 40; s++) {
      good[s] = new int[] {1, 2};
      bad[s] = new int[] {1, 0};
    }

    final PromotionGate.Verdict verdict =
        PromotionGate.judge("candidate", outcomes(bad), "current", outcomes(good), RULE);

    // every session loses one hit of two and 1/2 of reciprocal rank: the bound is the difference
    assertThat(verdict.comparisons().get(0).lowerBound()).isCloseTo(-0.5, within(1e-12));
    assertThat(verdict.comparisons().get(1).lowerBound()).isCloseTo(-0.25, within(1e-12));
    assertThat(verdict.passed()).isFalse();
    assertThat(verdict.comparisons()).noneMatch(PromotionGate.Comparison::passed);
  }

  @Test
  void shouldFailWhenOnlyOneMetricIsWorseBeyondTheMargin() {
    // same hits, but the candidate ranks every hit 2nd instead of 1st: Recall equal, MRR halves
    final int[][] first = new int[30][];
    final int[][] second = new int[30][];
    for (int s = 0; s < 30; s++) {
      first[s] = new int[] {1, 0};
      second[s] = new int[] {2, 0};
    }

    final PromotionGate.Verdict verdict =
        PromotionGate.judge("candidate", outcomes(second), "current", outcomes(first), RULE);

    assertThat(verdict.comparisons().get(0).passed()).isTrue();
    assertThat(verdict.comparisons().get(1).passed()).isFalse();
    assertThat(verdict.passed()).isFalse();
  }

  @Test
  void shouldGiveTheSameVerdictForTheSameSeed() {
    final int[][] a = {{1, 0, 3}, {0, 0}, {2}, {1, 1, 0, 7}, {0, 4}};
    final int[][] b = {{2, 0, 1}, {1, 0}, {0}, {1, 3, 0, 0}, {5, 4}};

    final PromotionGate.Verdict one = PromotionGate.judge("a", outcomes(a), "b", outcomes(b), RULE);
    final PromotionGate.Verdict two = PromotionGate.judge("a", outcomes(a), "b", outcomes(b), RULE);

    assertThat(one).isEqualTo(two);
  }

  @Test
  void shouldTakeTheLowerNearestRankQuantile() {
    final double[] samples = {5, 1, 4, 2, 3, 9, 8, 7, 6, 10};

    // q = 0.05 of 10 samples: index floor(0.05 * 9) = 0 -> the smallest; q = 0.5: index 4 -> 5
    assertThat(PromotionGate.lowerQuantile(samples.clone(), 0.05)).isEqualTo(1.0);
    assertThat(PromotionGate.lowerQuantile(samples.clone(), 0.5)).isEqualTo(5.0);
  }

  @Test
  void shouldRefuseOutcomesOfDifferentSessionsAndBadRules() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            PromotionGate.judge(
                "a", outcomes(new int[] {1}), "b", outcomes(new int[] {1}, new int[] {2}), RULE));
    assertThrows(
        IllegalArgumentException.class, () -> new PromotionGate.Rule(20, -0.1, 0.95, 500, 1L));
    assertThrows(
        IllegalArgumentException.class, () -> new PromotionGate.Rule(20, 0.01, 1.0, 500, 1L));
    assertThrows(
        IllegalArgumentException.class, () -> new PromotionGate.Rule(0, 0.01, 0.95, 500, 1L));
  }
}
