package io.insession.session;

import io.insession.schemas.WeblogEvent;
import java.util.Objects;
import java.util.Optional;

/**
 * The field rules every weblog event must meet, shared by the stream (which dead-letters a record
 * that breaks one) and the HTTP event collector (which answers 400 and produces nothing).
 *
 * <p>Rules that concern the Kafka record rather than the event (a key, a value, the key matching
 * the session id, decoding) stay with the stream's validator. The checks run in two steps so the
 * stream can check the key in between, as it always has: first {@link #checkIds}, then {@link
 * #checkItem}; {@link #check} runs both.
 */
public final class WeblogEventChecks {

  /** Which rule an event breaks. */
  public enum Rule {
    /** A required field (the session id or the event id) is missing or blank. */
    MISSING_FIELD,
    /**
     * The event type concerns an item (see {@link EventSemantics#requiresItem}) but none is named.
     */
    MISSING_ITEM
  }

  /**
   * A broken rule.
   *
   * @param rule the rule
   * @param field the JSON/Avro name of the offending field
   * @param detail a human-readable reason, e.g. {@code "sessionId is empty"}
   */
  public record Violation(Rule rule, String field, String detail) {
    /** Checks that nothing is null. */
    public Violation {
      Objects.requireNonNull(rule, "rule");
      Objects.requireNonNull(field, "field");
      Objects.requireNonNull(detail, "detail");
    }
  }

  private WeblogEventChecks() {}

  /** Every rule, ids first; the first one broken, or empty when the event is good. */
  public static Optional<Violation> check(final WeblogEvent event) {
    final Optional<Violation> ids = checkIds(event);
    return ids.isPresent() ? ids : checkItem(event);
  }

  /** The session id and the event id must not be missing or blank (session id first). */
  public static Optional<Violation> checkIds(final WeblogEvent event) {
    if (isBlank(event.getSessionId())) {
      return Optional.of(new Violation(Rule.MISSING_FIELD, "sessionId", "sessionId is empty"));
    }
    if (isBlank(event.getEventId())) {
      return Optional.of(new Violation(Rule.MISSING_FIELD, "eventId", "eventId is empty"));
    }
    return Optional.empty();
  }

  /** An event about an item must name it. */
  public static Optional<Violation> checkItem(final WeblogEvent event) {
    if (EventSemantics.requiresItem(event.getEventType()) && isBlank(event.getItemId())) {
      return Optional.of(
          new Violation(
              Rule.MISSING_ITEM, "itemId", event.getEventType() + " event names no itemId"));
    }
    return Optional.empty();
  }

  private static boolean isBlank(final String value) {
    return value == null || value.isBlank();
  }
}
