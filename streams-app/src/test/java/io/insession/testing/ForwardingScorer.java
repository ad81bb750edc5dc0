package io.insession.testing;

import io.insession.scoring.Candidate;
import io.insession.scoring.ModelInfo;
import io.insession.scoring.SessionScorer;
import io.insession.scoring.StepRequest;
import io.insession.scoring.StepResult;
import java.util.List;

/**
 * A scorer that hands every call to a real one, for tests that make it fail at a chosen moment
 * (override {@link #stepAll}, check, then call {@code super.stepAll}). Closing it leaves the real
 * scorer open: the test closes that.
 */
public abstract class ForwardingScorer implements SessionScorer {

  private final SessionScorer real;

  protected ForwardingScorer(final SessionScorer real) {
    this.real = real;
  }

  @Override
  public ModelInfo model() {
    return real.model();
  }

  @Override
  public StepResult step(final StepRequest request) {
    return stepAll(List.of(request)).get(0);
  }

  @Override
  public List<StepResult> stepAll(final List<StepRequest> requests) {
    return real.stepAll(requests);
  }

  @Override
  public List<Candidate> fallback(final int count) {
    return real.fallback(count);
  }

  @Override
  public void close() {
    // the real scorer is closed by the test
  }
}
