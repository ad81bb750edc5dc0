package io.insession.api;

/**
 * Kafka refused the events for what they are (answered 400, not retryable): a record larger than
 * the producer or broker accepts, or a timestamp outside the broker's window. A retry of the same
 * request can never succeed.
 */
public final class EventsRefusedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  EventsRefusedException(final String message, final Throwable cause) {
    super(message, cause);
  }
}
