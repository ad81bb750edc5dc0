package io.insession.session;

import io.insession.schemas.WeblogEvent;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The field rules every weblog event must meet, shared by the stream (which dead-letters a record
 * that breaks one) and the HTTP event collector (which answers 400 and produces nothing).
 *
 * <p>Rules that concern the Kafka record rather than the event (a key, a value, the key matching
 * the session id, decoding) stay with the stream's validator. The checks run in two steps so the
 * stream can check the key in between, as it always has: first {@link #checkIds}, then {@link
 * #checkSizes} and {@link #checkItem}; {@link #check} runs them all. Sizes and times are bounded by
 * {@link EventLimits} (settings in {@code InSessionConfig}): {@link #checkSizes} (id lengths,
 * attributes), {@link #checkRecordSize} (the encoded record) and {@link #checkTime} (the event time
 * against the clock), so no single event can grow a session's state, a list or a dead letter past
 * what Kafka accepts.
 */
public final class WeblogEventChecks {

  /** Which rule an event breaks. */
  public enum Rule {
    /** A required field (the session id or the event id) is missing or blank. */
    MISSING_FIELD,
    /**
     * The event type concerns an item (see {@link EventSemantics#requiresItem}) but none is named.
     */
    MISSING_ITEM,
    /** An id, attribute key or attribute value is longer than its limit. */
    FIELD_TOO_LONG,
    /** The event carries more attributes than allowed. */
    TOO_MANY_ATTRIBUTES,
    /** The encoded record (key plus value) is larger than allowed. */
    RECORD_TOO_LARGE,
    /** The event time is negative, too far in the past, or too far ahead of the clock. */
    EVENT_TIME_OUT_OF_RANGE,
    /** A price that is negative, NaN or infinite, or a quantity below 1 (v3, experiments). */
    INVALID_AMOUNT
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

  /**
   * Every field rule with the default limits, ids first; the first one broken, or empty when the
   * event is good. The event time is checked apart ({@link #checkTime}): it needs a clock.
   */
  public static Optional<Violation> check(final WeblogEvent event) {
    return check(event, EventLimits.defaults());
  }

  /** Every field rule with {@code limits}: ids, then sizes, then the item. */
  public static Optional<Violation> check(final WeblogEvent event, final EventLimits limits) {
    final Optional<Violation> ids = checkIds(event);
    if (ids.isPresent()) {
      return ids;
    }
    final Optional<Violation> sizes = checkSizes(event, limits);
    if (sizes.isPresent()) {
      return sizes;
    }
    final Optional<Violation> amounts = checkAmounts(event);
    return amounts.isPresent() ? amounts : checkItem(event);
  }

  /** A price, when given, is a finite amount of 0 or more; a quantity, when given, 1 or more. */
  public static Optional<Violation> checkAmounts(final WeblogEvent event) {
    final Double price = event.getPrice();
    if (price != null && !(Double.isFinite(price) && price >= 0)) {
      return Optional.of(
          new Violation(
              Rule.INVALID_AMOUNT, "price", "price must be a finite amount >= 0, got " + price));
    }
    final Integer quantity = event.getQuantity();
    if (quantity != null && quantity < 1) {
      return Optional.of(
          new Violation(
              Rule.INVALID_AMOUNT, "quantity", "quantity must be 1 or more, got " + quantity));
    }
    return Optional.empty();
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

  /** No id, attribute key or value longer than its limit; no more attributes than allowed. */
  public static Optional<Violation> checkSizes(final WeblogEvent event, final EventLimits limits) {
    final Optional<Violation> ids =
        firstOf(
            tooLong("sessionId", event.getSessionId(), limits.maxSessionIdChars()),
            tooLong("eventId", event.getEventId(), limits.maxEventIdChars()),
            tooLong("userId", event.getUserId(), limits.maxUserIdChars()),
            tooLong("itemId", event.getItemId(), limits.maxItemIdChars()),
            tooLong("recommendationId", event.getRecommendationId(), limits.maxEventIdChars()),
            tooLong("orderId", event.getOrderId(), limits.maxEventIdChars()),
            tooLong("currency", event.getCurrency(), limits.maxEventIdChars()));
    if (ids.isPresent()) {
      return ids;
    }
    final Map<String, String> attributes = event.getAttributes();
    if (attributes == null) {
      return Optional.empty();
    }
    if (attributes.size() > limits.maxAttributes()) {
      return Optional.of(
          new Violation(
              Rule.TOO_MANY_ATTRIBUTES,
              "attributes",
              "attributes has "
                  + attributes.size()
                  + " entries, more than "
                  + limits.maxAttributes()));
    }
    for (final Map.Entry<String, String> attribute : attributes.entrySet()) {
      final Optional<Violation> entry =
          firstOf(
              tooLong("attributes", attribute.getKey(), limits.maxAttributeChars()),
              tooLong("attributes", attribute.getValue(), limits.maxAttributeChars()));
      if (entry.isPresent()) {
        return entry;
      }
    }
    return Optional.empty();
  }

  /** The encoded record (key plus value, in bytes) must not exceed the limit. */
  public static Optional<Violation> checkRecordSize(
      final int keyBytes, final int valueBytes, final EventLimits limits) {
    final long bytes = (long) keyBytes + valueBytes;
    if (bytes > limits.maxRecordBytes()) {
      return Optional.of(
          new Violation(
              Rule.RECORD_TOO_LARGE,
              "record",
              "record is " + bytes + " bytes, more than " + limits.maxRecordBytes()));
    }
    return Optional.empty();
  }

  /**
   * The event time must be a time Kafka and the session logic can use: not negative, not more than
   * {@link EventLimits#maxPastMs} before its arrival, not more than {@link EventLimits#maxFutureMs}
   * ahead of the clock.
   *
   * @param arrivalMs when the event arrived (the stream: the earlier of the record's timestamp and
   *     its clock; the collector: now)
   * @param nowMs the clock of whoever checks
   */
  public static Optional<Violation> checkTime(
      final WeblogEvent event, final long arrivalMs, final long nowMs, final EventLimits limits) {
    final Instant time = event.getEventTime();
    if (time == null) {
      return Optional.of(new Violation(Rule.MISSING_FIELD, "eventTime", "eventTime is empty"));
    }
    final long millis = time.toEpochMilli();
    final String reason;
    if (millis < 0) {
      reason = "eventTime " + time + " is before 1970";
    } else if (millis < arrivalMs - limits.maxPastMs()) {
      reason =
          "eventTime "
              + time
              + " is more than "
              + limits.maxPastMs()
              + " ms before its arrival at "
              + Instant.ofEpochMilli(arrivalMs);
    } else if (millis - nowMs > limits.maxFutureMs()) {
      reason =
          "eventTime "
              + time
              + " is more than "
              + limits.maxFutureMs()
              + " ms ahead of the clock ("
              + Instant.ofEpochMilli(nowMs)
              + ")";
    } else {
      return Optional.empty();
    }
    return Optional.of(new Violation(Rule.EVENT_TIME_OUT_OF_RANGE, "eventTime", reason));
  }

  /**
   * {@code text} for a message: as is when short, else its start and its length, so a detail never
   * repeats a huge id.
   */
  public static String abbreviate(final String text) {
    final int max = 64;
    if (text == null || text.length() <= max) {
      return String.valueOf(text);
    }
    return text.substring(0, max) + "... (" + text.length() + " characters)";
  }

  private static Optional<Violation> tooLong(
      final String field, final String value, final int maxChars) {
    if (value != null && value.length() > maxChars) {
      return Optional.of(
          new Violation(
              Rule.FIELD_TOO_LONG,
              field,
              field + " is " + value.length() + " characters, more than " + maxChars));
    }
    return Optional.empty();
  }

  @SafeVarargs
  private static Optional<Violation> firstOf(final Optional<Violation>... violations) {
    for (final Optional<Violation> violation : violations) {
      if (violation.isPresent()) {
        return violation;
      }
    }
    return Optional.empty();
  }

  private static boolean isBlank(final String value) {
    return value == null || value.isBlank();
  }
}
