package io.insession.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The served set's reference count: a replaced set is closed only after its last lease. */
class CurrentVariantsTest {

  /** A scorer that only counts how often it was closed. */
  private static final class ClosingScorer implements SessionScorer {
    private final ModelInfo model;
    private int closed;

    ClosingScorer(final String version) {
      this.model = new ModelInfo("m", version);
    }

    @Override
    public ModelInfo model() {
      return model;
    }

    @Override
    public StepResult step(final StepRequest request) {
      throw new UnsupportedOperationException("not scored in this test");
    }

    @Override
    public List<Candidate> fallback(final int count) {
      return List.of();
    }

    @Override
    public void close() {
      closed++;
    }
  }

  @Test
  void shouldCloseAReplacedSetOnlyWhenTheLastBatchThatLeasedItIsDone() {
    final ClosingScorer v1 = new ClosingScorer("v1");
    final ClosingScorer v2 = new ClosingScorer("v2");
    final CurrentVariants current = CurrentVariants.owning(ScorerVariants.single(v1));

    final CurrentVariants.Lease inFlight = current.acquire();
    final ScorerVariants replaced = current.replace(ScorerVariants.single(v2));

    assertThat(replaced.primary().scorer()).isSameAs(v1);
    assertThat(inFlight.variants().primary().scorer()).as("the batch keeps its set").isSameAs(v1);
    assertThat(v1.closed).as("still used by a batch").isZero();
    try (CurrentVariants.Lease next = current.acquire()) {
      assertThat(next.variants().primary().scorer()).isSameAs(v2);
    }
    inFlight.close();
    inFlight.close();
    assertThat(v1.closed).as("closed once, after the last batch").isEqualTo(1);
    assertThat(v2.closed).isZero();

    current.close();
    assertThat(v2.closed).isEqualTo(1);
    assertThrows(IllegalStateException.class, current::acquire);
  }

  @Test
  void shouldCloseAReplacedSetAtOnceWhenNoBatchHoldsIt() {
    final ClosingScorer v1 = new ClosingScorer("v1");
    final CurrentVariants current = CurrentVariants.owning(ScorerVariants.single(v1));

    current.replace(ScorerVariants.single(new ClosingScorer("v2")));

    assertThat(v1.closed).isEqualTo(1);
  }

  @Test
  void shouldLeaveTheCallersInitialSetOpenButCloseTheSetsItInstalled() {
    final ClosingScorer given = new ClosingScorer("given");
    final ClosingScorer deployed = new ClosingScorer("deployed");
    final CurrentVariants current = new CurrentVariants(ScorerVariants.single(given));

    current.replace(ScorerVariants.single(deployed));
    current.close();

    assertThat(given.closed).as("the caller closes it").isZero();
    assertThat(deployed.closed).isEqualTo(1);
  }
}
