package io.insession.evaluation;

import io.insession.scoring.StepResult;

/** Sees every prediction of an evaluation (for tests and diagnostics); must be thread-safe. */
@FunctionalInterface
interface PredictionListener {

  PredictionListener NONE = (sessionId, position, result, target) -> {};

  /**
   * One prediction.
   *
   * @param sessionId the test session
   * @param position the index of the click fed to the scorer (0 = the session's first click)
   * @param result what the scorer answered for that click
   * @param target the next click
   */
  void onPrediction(String sessionId, int position, StepResult result, String target);
}
