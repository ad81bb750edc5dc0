package io.insession.scoring;

import java.util.ArrayList;
import java.util.List;

/**
 * Advances one session by one event and proposes candidates: the seam between the topology and any
 * model (the ONNX GRU, and baselines such as popularity).
 *
 * <p>A scorer keeps no per-session memory of its own: what it needs to continue a session is
 * returned as an opaque {@link StepResult#state()} that the topology stores in RocksDB and hands
 * back with the next event. Implementations are thread-safe (one instance serves all stream
 * threads) and never re-read the whole session.
 */
public interface SessionScorer extends AutoCloseable {

  /** Name and version of the model behind this scorer (they are written into every list). */
  ModelInfo model();

  /**
   * Advances one session by one item event.
   *
   * @param request the session's stored scorer state (empty for a new session), its recent items
   *     (oldest first, before this event) and the item of this event
   * @return the new state and the best candidates, best first (possibly including items the session
   *     already saw: business rules filter later)
   */
  StepResult step(StepRequest request);

  /**
   * Advances many sessions at once; the default loops over {@link #step}. Implementations that can
   * batch (ONNX) override it. Results are in request order.
   */
  default List<StepResult> stepAll(final List<StepRequest> requests) {
    final List<StepResult> results = new ArrayList<>(requests.size());
    for (final StepRequest request : requests) {
      results.add(step(request));
    }
    return results;
  }

  /** Candidates for a session the model cannot score (no known item yet): the cold start. */
  List<Candidate> fallback(int count);

  /** Releases the model's native resources (never the shared ONNX Runtime environment). */
  @Override
  void close();
}
