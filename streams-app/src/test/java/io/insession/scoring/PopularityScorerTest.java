package io.insession.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PopularityScorerTest {

  private final PopularityScorer scorer =
      PopularityScorer.fromCounts(
          new ModelInfo("popularity", "test"), Map.of("a", 1L, "b", 5L, "c", 2L, "d", 2L), 3);

  @Test
  void shouldProposeTheMostClickedItemsWithTheirShareOfClicks() {
    final StepResult result = scorer.step(new StepRequest(new byte[0], List.of("a"), "b"));

    assertThat(result.candidates())
        .containsExactly(
            new Candidate("b", 0.5f), new Candidate("c", 0.2f), new Candidate("d", 0.2f));
    assertThat(result.state()).isEmpty();
    assertThat(result.itemKnown()).isTrue();
  }

  @Test
  void shouldIgnoreTheSessionAndMarkUnknownItems() {
    final StepResult result = scorer.step(new StepRequest(new byte[] {1}, List.of(), "zzz"));

    assertThat(result.itemKnown()).isFalse();
    assertThat(result.state()).isEmpty();
    assertThat(result.candidates()).extracting(Candidate::itemId).containsExactly("b", "c", "d");
  }

  @Test
  void shouldReturnAtMostTheKnownItemsAsFallback() {
    assertThat(scorer.fallback(10))
        .extracting(Candidate::itemId)
        .containsExactly("b", "c", "d", "a");
    assertThat(scorer.fallback(1)).extracting(Candidate::itemId).containsExactly("b");
    assertThatThrownBy(() -> scorer.fallback(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldUseTheBundlesCountsAndTopK() {
    final ModelBundle bundle = ModelBundle.load(TestBundles.tiny());

    try (PopularityScorer fromBundle = PopularityScorer.fromBundle(bundle)) {
      assertThat(fromBundle.model())
          .isEqualTo(new ModelInfo("gru4rec-tiny-popularity", bundle.version()));
      assertThat(fromBundle.step(new StepRequest(new byte[0], List.of(), "x")).candidates())
          .extracting(Candidate::itemId)
          .containsExactlyElementsOf(
              bundle.mostPopular(bundle.topK()).stream().map(PopularItem::itemId).toList());
    }
  }

  @Test
  void shouldRejectNegativeCounts() {
    assertThatThrownBy(
            () -> PopularityScorer.fromCounts(new ModelInfo("p", "v"), Map.of("a", -1L), 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("count of 'a' must be >= 0, got -1");
  }
}
