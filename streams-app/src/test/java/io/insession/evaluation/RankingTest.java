package io.insession.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.insession.scoring.Candidate;
import java.util.List;
import org.junit.jupiter.api.Test;

class RankingTest {

  private static List<Candidate> ranked(final Object... idsAndScores) {
    final Candidate[] candidates = new Candidate[idsAndScores.length / 2];
    for (int i = 0; i < candidates.length; i++) {
      candidates[i] =
          new Candidate(
              (String) idsAndScores[2 * i], ((Number) idsAndScores[2 * i + 1]).floatValue());
    }
    return List.of(candidates);
  }

  @Test
  void shouldRankTheTargetByItsPositionWithoutTies() {
    final List<Candidate> list = ranked("a", 0.9, "b", 0.8, "t", 0.7, "c", 0.6);

    assertThat(Ranking.conservativeRank(list, "t")).isEqualTo(3);
    assertThat(Ranking.conservativeRank(list, "a")).isEqualTo(1);
  }

  @Test
  void shouldCountItemsTiedWithTheTargetAsRankedAboveIt() {
    // the target is listed third, tied with the two items after it: conservatively rank 5
    final List<Candidate> list = ranked("a", 0.9, "b", 0.8, "t", 0.5, "c", 0.5, "d", 0.5, "e", 0.1);

    assertThat(Ranking.conservativeRank(list, "t")).isEqualTo(5);
  }

  @Test
  void shouldCountTiesListedBeforeTheTargetToo() {
    final List<Candidate> list = ranked("a", 0.5, "t", 0.5, "b", 0.5);

    assertThat(Ranking.conservativeRank(list, "t")).isEqualTo(3);
    assertThat(Ranking.conservativeRank(list, "a")).isEqualTo(3);
  }

  @Test
  void shouldMissATargetThatIsNotAmongTheCandidates() {
    assertThat(Ranking.conservativeRank(ranked("a", 0.9, "b", 0.8), "t")).isEqualTo(Ranking.MISS);
    assertThat(Ranking.conservativeRank(List.of(), "t")).isEqualTo(Ranking.MISS);
  }

  @Test
  void shouldMissATargetWithoutAComparableScore() {
    assertThat(Ranking.conservativeRank(ranked("a", 0.9, "t", Float.NaN), "t"))
        .isEqualTo(Ranking.MISS);
  }
}
