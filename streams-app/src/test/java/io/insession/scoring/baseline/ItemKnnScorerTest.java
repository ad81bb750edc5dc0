package io.insession.scoring.baseline;

import static io.insession.scoring.baseline.Fixtures.session;
import static io.insession.scoring.baseline.Fixtures.sessions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.insession.data.Click;
import io.insession.scoring.Candidate;
import io.insession.scoring.StepRequest;
import io.insession.scoring.StepResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ItemKnnScorerTest {

  // sessions(A) = 3 (session 1 clicks A twice: it counts once), sessions(B) = 3,
  // sessions(C) = 2, sessions(D) = 1
  private static final Map<String, List<Click>> TRAIN =
      sessions(
          session("1", "A", "B", "A", "C"),
          session("2", "A", "B"),
          session("3", "A", "D"),
          session("4", "B", "C"));

  private static StepResult step(final ItemKnnScorer scorer, final String item) {
    return scorer.step(new StepRequest(new byte[0], List.of(), item));
  }

  @Test
  void shouldRankNeighboursByCosineOverSessions() {
    final ItemKnnScorer scorer = ItemKnnScorer.train(TRAIN, 10);

    final List<Candidate> neighbours = step(scorer, "A").candidates();

    assertThat(neighbours).extracting(Candidate::itemId).containsExactly("B", "D", "C");
    // together in 2 sessions / sqrt(3 * 3); 1 / sqrt(3 * 1); 1 / sqrt(3 * 2)
    assertThat(neighbours.get(0).score()).isCloseTo(2f / 3f, within(1e-6f));
    assertThat(neighbours.get(1).score()).isCloseTo((float) (1 / Math.sqrt(3)), within(1e-6f));
    assertThat(neighbours.get(2).score()).isCloseTo((float) (1 / Math.sqrt(6)), within(1e-6f));
  }

  @Test
  void shouldNotRecommendTheItemAsItsOwnNeighbour() {
    final ItemKnnScorer scorer = ItemKnnScorer.train(TRAIN, 10);

    assertThat(step(scorer, "B").candidates()).extracting(Candidate::itemId).doesNotContain("B");
    assertThat(step(scorer, "D").candidates()).extracting(Candidate::itemId).containsExactly("A");
  }

  @Test
  void shouldUseOnlyTheEventItemAndKeepNoState() {
    final ItemKnnScorer scorer = ItemKnnScorer.train(TRAIN, 10);

    final StepResult withHistory =
        scorer.step(new StepRequest(new byte[0], List.of("D", "C"), "A"));

    assertThat(withHistory.candidates()).isEqualTo(step(scorer, "A").candidates());
    assertThat(withHistory.state()).isEmpty();
    assertThat(withHistory.itemKnown()).isTrue();
  }

  @Test
  void shouldKeepOnlyTheConfiguredNumberOfNeighbours() {
    final ItemKnnScorer scorer = ItemKnnScorer.train(TRAIN, 2);

    assertThat(step(scorer, "A").candidates())
        .extracting(Candidate::itemId)
        .containsExactly("B", "D");
  }

  @Test
  void shouldFallBackToPopularityForAnUnknownItem() {
    final ItemKnnScorer scorer = ItemKnnScorer.train(TRAIN, 10);

    final StepResult result = step(scorer, "never-seen");

    assertThat(result.itemKnown()).isFalse();
    // clicks: A 4, B 3, C 2, D 1
    assertThat(result.candidates())
        .extracting(Candidate::itemId)
        .containsExactly("A", "B", "C", "D");
    assertThat(result.candidates()).isEqualTo(scorer.fallback(10));
  }

  @Test
  void shouldBuildPopularityFromTrainingClicks() {
    final List<Candidate> popular = Baselines.popularity(TRAIN).fallback(10);

    assertThat(popular).extracting(Candidate::itemId).containsExactly("A", "B", "C", "D");
    assertThat(popular.get(0).score()).isCloseTo(4f / 10f, within(1e-6f));
  }
}
