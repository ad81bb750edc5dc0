package io.insession.scoring;

import java.util.List;
import java.util.Objects;

/**
 * What a scorer answers for one event.
 *
 * @param state the scorer state to store for the session's next event
 * @param candidates proposed items, best first
 * @param itemKnown whether the model knew the event's item; when it did not, the state is unchanged
 *     and the candidates come from the scorer's fallback if the session has no state yet (the ONNX
 *     scorer also uses the fallback when the session has a state: the model cannot score without a
 *     step, see {@link OnnxGruScorer})
 */
public record StepResult(byte[] state, List<Candidate> candidates, boolean itemKnown) {
  public StepResult {
    Objects.requireNonNull(state, "state");
    candidates = List.copyOf(candidates);
  }
}
