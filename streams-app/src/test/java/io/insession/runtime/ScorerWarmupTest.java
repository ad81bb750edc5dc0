package io.insession.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insession.scoring.Candidate;
import io.insession.scoring.ModelInfo;
import io.insession.scoring.SessionScorer;
import io.insession.scoring.StepRequest;
import io.insession.scoring.StepResult;
import io.insession.testing.TestModels;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The scorer's warm-up: which batches, and what readiness hears from it. */
class ScorerWarmupTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @Test
  void shouldWarmEveryPowerOfTwoBatchUpToTheLargest() {
    assertThat(ScorerWarmup.batchSizes(64)).containsExactly(1, 2, 4, 8, 16, 32, 64);
    assertThat(ScorerWarmup.batchSizes(48)).containsExactly(1, 2, 4, 8, 16, 32, 48);
    assertThat(ScorerWarmup.batchSizes(1)).containsExactly(1);
  }

  @Test
  void shouldRunBatchedStepsOnTheRealModelThenSayNothingIsPending() {
    try (SessionScorer tiny = TestModels.tinyGruScorer()) {
      final Recording recording = new Recording(tiny);
      try (ScorerWarmup warmup = ScorerWarmup.start(recording, 4)) {
        await().atMost(TIMEOUT).until(() -> warmup.pending().isEmpty());
      }
      assertThat(recording.batches).containsExactly(1, 2, 4, 1, 2, 4);
    }
  }

  @Test
  void shouldReportAFailedWarmUpAsPending() {
    try (SessionScorer tiny = TestModels.tinyGruScorer()) {
      final Recording failing = new Recording(tiny);
      failing.fail = true;
      try (ScorerWarmup warmup = ScorerWarmup.start(failing, 4)) {
        await()
            .atMost(TIMEOUT)
            .until(() -> warmup.pending().orElse("").startsWith("model warm-up failed"));
        assertThat(warmup.pending()).get().asString().contains("no scoring today");
      }
    }
  }

  @Test
  void shouldHaveNothingPendingWithoutAWarmUp() {
    assertThat(ScorerWarmup.none().pending()).isEmpty();
  }

  /**
   * Delegates to a real scorer and remembers the batch sizes it was given; fails when told to, and
   * waits at its gate (open unless a test closes it).
   */
  static final class Recording implements SessionScorer {
    final List<Integer> batches = new CopyOnWriteArrayList<>();
    private final SessionScorer delegate;
    volatile boolean fail;
    volatile CountDownLatch gate = new CountDownLatch(0);

    Recording(final SessionScorer delegate) {
      this.delegate = delegate;
    }

    @Override
    public ModelInfo model() {
      return delegate.model();
    }

    @Override
    public StepResult step(final StepRequest request) {
      return delegate.step(request);
    }

    @Override
    public List<StepResult> stepAll(final List<StepRequest> requests) {
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted at the gate", e);
      }
      if (fail) {
        throw new IllegalStateException("no scoring today");
      }
      batches.add(requests.size());
      return delegate.stepAll(requests);
    }

    @Override
    public List<Candidate> fallback(final int count) {
      return delegate.fallback(count);
    }

    @Override
    public void close() {
      // the delegate is closed by its owner
    }
  }
}
