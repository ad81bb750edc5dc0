package io.insession.api;

/**
 * Events were not acknowledged in time (answered 503). Whether they were written is unknown: a
 * client that retries with the same event ids lets readers drop duplicates.
 */
public final class NotAcknowledgedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  NotAcknowledgedException(final String message, final Throwable cause) {
    super(message, cause);
  }
}
