package io.insession.api;

import java.util.List;

/**
 * A {@code POST /v1/events} request that is refused as a whole (answered 400): the body is not
 * JSON, the batch is empty or too large, or at least one event is invalid (one {@link EventError}
 * per bad event). Nothing of such a request is produced.
 */
public final class InvalidEventsException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** The per-event errors; empty when the request as a whole is wrong. */
  private final transient List<EventError> errors;

  InvalidEventsException(final String message, final List<EventError> errors) {
    super(message);
    this.errors = List.copyOf(errors);
  }

  InvalidEventsException(final String message) {
    this(message, List.of());
  }

  /** One error per bad event, in request order; empty when the request as a whole is wrong. */
  public List<EventError> errors() {
    return errors;
  }
}
