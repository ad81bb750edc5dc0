package io.insession.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * Why one event of a {@code POST /v1/events} request was refused.
 *
 * @param index position of the event in the request (0 for a single object)
 * @param field the offending field, or null when the event as a whole is wrong (not an object)
 * @param reason human-readable reason
 * @param allowed the values the field may take, when there is such a list (the event types); else
 *     null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"index", "field", "reason", "allowed"})
public record EventError(int index, String field, String reason, List<String> allowed) {

  /** Copies the list of allowed values. */
  public EventError {
    allowed = allowed == null ? null : List.copyOf(allowed);
  }

  /** An error without a list of allowed values. */
  static EventError of(final int index, final String field, final String reason) {
    return new EventError(index, field, reason, null);
  }
}
