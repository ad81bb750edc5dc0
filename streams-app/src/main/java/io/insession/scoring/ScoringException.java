package io.insession.scoring;

/**
 * A scorer failed at run time (for example ONNX Runtime rejected a call). Unchecked so that the
 * topology's processing-exception handler decides what happens; the message names the model and
 * what failed.
 */
public class ScoringException extends RuntimeException {

  /** A scoring failure with its underlying cause. */
  public ScoringException(final String message, final Throwable cause) {
    super(message, cause);
  }

  /** A scoring failure without an underlying exception (for example an impossible model output). */
  public ScoringException(final String message) {
    super(message);
  }
}
