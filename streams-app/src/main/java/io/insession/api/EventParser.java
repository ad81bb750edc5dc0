package io.insession.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.insession.schemas.EventType;
import io.insession.schemas.WeblogEvent;
import io.insession.session.EventLimits;
import io.insession.session.EventSemantics;
import io.insession.session.WeblogEventChecks;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Turns the JSON body of {@code POST /v1/events} into {@link WeblogEvent}s, checked with the same
 * rules the stream applies ({@link WeblogEventChecks}), or refuses it as a whole.
 *
 * <p>The body is one event object or an array of 1 to {@code maxBatchEvents} of them:
 *
 * <pre>{@code
 * {"eventId"?, "sessionId", "userId"?, "eventType", "itemId"?, "eventTime"?, "attributes"?,
 *  "recommendationId"?, "price"?, "quantity"?, "currency"?, "orderId"?}
 * }</pre>
 *
 * <ul>
 *   <li>{@code eventId}: a non-blank string; a UUID is generated when it is absent or null;
 *   <li>{@code sessionId}: a non-blank string within the limits ({@link EventLimits}, as every id
 *       and attribute);
 *   <li>{@code eventType}: one of the {@link EventType} symbols (case does not matter);
 *   <li>{@code itemId}: a non-blank string, required for the event types about an item;
 *   <li>{@code userId}: a string or null;
 *   <li>{@code eventTime}: an ISO-8601 instant ({@code 2026-11-23T10:15:30.123Z}, or with an offset
 *       such as {@code +01:00}) or epoch milliseconds (a non-negative integer, or a string of
 *       digits), within the stream's window around the collector's clock ({@link
 *       WeblogEventChecks#checkTime}: the stream would dead-letter it, and the broker refuse a
 *       record dated more than an hour ahead); the collector's clock when absent or null;
 *   <li>{@code attributes}: an object of string values, or null;
 *   <li>{@code recommendationId} (the list the visitor clicked in), {@code currency}, {@code
 *       orderId}: strings or null; {@code price}: a number of 0 or more, {@code quantity}: a whole
 *       number of 1 or more, or null (docs/experiments.md).
 * </ul>
 *
 * Any other field is refused, so that a misspelt one ({@code "itemID"}) is not silently dropped.
 * Each bad event yields one {@link EventError} (its first problem); any bad event refuses the whole
 * request.
 */
final class EventParser {

  /**
   * The allowed event types, in schema order: a visitor's, so not {@code FORGET_SESSION} (an
   * operator's control record, written by {@code DELETE /v1/sessions/{id}} only).
   */
  static final List<String> EVENT_TYPES =
      Arrays.stream(EventType.values())
          .filter(type -> !EventSemantics.forgetsSession(type))
          .map(EventType::name)
          .toList();

  /** The fields an event may have. */
  static final List<String> FIELDS =
      List.of(
          "eventId",
          "sessionId",
          "userId",
          "eventType",
          "itemId",
          "eventTime",
          "attributes",
          "recommendationId",
          "price",
          "quantity",
          "currency",
          "orderId");

  private final ObjectMapper mapper;
  private final int maxBatchEvents;
  private final EventLimits limits;
  private final Clock clock;
  private final Supplier<String> eventIds;

  /**
   * A parser with the default event limits.
   *
   * @param mapper parses the body
   * @param maxBatchEvents most events per request
   * @param clock gives the event time of events without one
   * @param eventIds gives the id of events without one
   */
  EventParser(
      final ObjectMapper mapper,
      final int maxBatchEvents,
      final Clock clock,
      final Supplier<String> eventIds) {
    this(mapper, maxBatchEvents, EventLimits.defaults(), clock, eventIds);
  }

  /**
   * A parser.
   *
   * @param mapper parses the body
   * @param maxBatchEvents most events per request
   * @param limits the size and time limits of an event
   * @param clock gives the event time of events without one, and every event's arrival time
   * @param eventIds gives the id of events without one
   */
  EventParser(
      final ObjectMapper mapper,
      final int maxBatchEvents,
      final EventLimits limits,
      final Clock clock,
      final Supplier<String> eventIds) {
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    if (maxBatchEvents < 1) {
      throw new IllegalArgumentException("maxBatchEvents must be >= 1: " + maxBatchEvents);
    }
    this.maxBatchEvents = maxBatchEvents;
    this.limits = Objects.requireNonNull(limits, "limits");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.eventIds = Objects.requireNonNull(eventIds, "eventIds");
  }

  /**
   * The events of a request body, all valid.
   *
   * @throws InvalidEventsException when the body or any event in it is invalid
   */
  List<WeblogEvent> parse(final String body) {
    final JsonNode root;
    try {
      root = mapper.readTree(body == null ? "" : body);
    } catch (JsonProcessingException e) {
      throw new InvalidEventsException("body is not JSON: " + e.getOriginalMessage());
    }
    if (root == null || root.isMissingNode()) {
      throw new InvalidEventsException("body is empty; send one event object or an array of them");
    }
    final List<JsonNode> nodes = new ArrayList<>();
    if (root.isObject()) {
      nodes.add(root);
    } else if (root.isArray()) {
      root.forEach(nodes::add);
    } else {
      throw new InvalidEventsException("body must be an event object or an array of them");
    }
    if (nodes.isEmpty()) {
      throw new InvalidEventsException("no events in the array");
    }
    if (nodes.size() > maxBatchEvents) {
      throw new InvalidEventsException(
          "too many events: "
              + nodes.size()
              + " in one request, at most "
              + maxBatchEvents
              + " are allowed");
    }
    final List<WeblogEvent> events = new ArrayList<>(nodes.size());
    final List<EventError> errors = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      try {
        events.add(event(i, nodes.get(i)));
      } catch (EventRefused e) {
        errors.add(e.error);
      }
    }
    if (!errors.isEmpty()) {
      throw new InvalidEventsException(
          errors.size()
              + " of "
              + nodes.size()
              + (nodes.size() == 1 ? " event is" : " events are")
              + " invalid; none was accepted",
          errors);
    }
    return events;
  }

  private WeblogEvent event(final int index, final JsonNode node) {
    if (!node.isObject()) {
      throw refused(index, null, "an event must be a JSON object");
    }
    for (final Map.Entry<String, JsonNode> field : node.properties()) {
      final String name = field.getKey();
      if (!FIELDS.contains(name)) {
        throw refused(index, name, "unknown field; the fields are " + String.join(", ", FIELDS));
      }
    }
    final WeblogEvent event =
        WeblogEvent.newBuilder()
            .setEventId(optionalText(index, node, "eventId").orElseGet(eventIds))
            .setSessionId(optionalText(index, node, "sessionId").orElse(""))
            .setUserId(optionalText(index, node, "userId").orElse(null))
            .setEventType(eventType(index, node))
            .setItemId(optionalText(index, node, "itemId").orElse(null))
            .setEventTime(eventTime(index, node))
            .setAttributes(attributes(index, node))
            .setRecommendationId(optionalText(index, node, "recommendationId").orElse(null))
            .setPrice(price(index, node))
            .setQuantity(quantity(index, node))
            .setCurrency(optionalText(index, node, "currency").orElse(null))
            .setOrderId(optionalText(index, node, "orderId").orElse(null))
            .build();
    final long now = clock.millis();
    final Optional<WeblogEventChecks.Violation> violation =
        WeblogEventChecks.check(event, limits)
            .or(() -> WeblogEventChecks.checkTime(event, now, now, limits));
    if (violation.isPresent()) {
      throw refused(index, violation.get().field(), violation.get().detail());
    }
    return event;
  }

  private static Optional<String> optionalText(
      final int index, final JsonNode node, final String field) {
    final JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isTextual()) {
      throw refused(index, field, field + " must be a string");
    }
    return Optional.of(value.asText());
  }

  private static Double price(final int index, final JsonNode node) {
    final JsonNode value = node.get("price");
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isNumber()) {
      throw refused(index, "price", "price must be a number");
    }
    return value.asDouble();
  }

  private static Integer quantity(final int index, final JsonNode node) {
    final JsonNode value = node.get("quantity");
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw refused(index, "quantity", "quantity must be a whole number");
    }
    return value.asInt();
  }

  private static EventType eventType(final int index, final JsonNode node) {
    final JsonNode value = node.get("eventType");
    if (value == null || value.isNull()) {
      throw new EventRefused(
          new EventError(index, "eventType", "eventType is missing", EVENT_TYPES));
    }
    final String text = value.isTextual() ? value.asText().trim().toUpperCase(Locale.ROOT) : null;
    if (text == null || !EVENT_TYPES.contains(text)) {
      throw new EventRefused(
          new EventError(
              index,
              "eventType",
              "unknown eventType " + value + "; allowed: " + String.join(", ", EVENT_TYPES),
              EVENT_TYPES));
    }
    return EventType.valueOf(text);
  }

  private Instant eventTime(final int index, final JsonNode node) {
    final JsonNode value = node.get("eventTime");
    if (value == null || value.isNull()) {
      return clock.instant();
    }
    final Instant time = parseTime(index, value);
    if (time.isBefore(Instant.EPOCH)) {
      throw refused(index, "eventTime", "eventTime must not be before 1970-01-01T00:00:00Z");
    }
    try {
      // an event time is stored as epoch milliseconds: refuse one a long cannot hold
      time.toEpochMilli();
    } catch (ArithmeticException e) {
      throw refused(
          index, "eventTime", "eventTime " + value + " is too far ahead to be epoch milliseconds");
    }
    return time;
  }

  private static Instant parseTime(final int index, final JsonNode value) {
    if (value.isIntegralNumber() && value.canConvertToLong()) {
      return epochMillis(index, value.asLong());
    }
    if (value.isTextual()) {
      final String text = value.asText().trim();
      if (!text.isEmpty() && text.chars().allMatch(Character::isDigit)) {
        try {
          return epochMillis(index, Long.parseLong(text));
        } catch (NumberFormatException e) {
          throw badTime(index, value);
        }
      }
      try {
        return Instant.parse(text);
      } catch (DateTimeException e) {
        try {
          return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeException e2) {
          throw badTime(index, value);
        }
      }
    }
    throw badTime(index, value);
  }

  private static Instant epochMillis(final int index, final long millis) {
    if (millis < 0) {
      throw refused(index, "eventTime", "eventTime must not be before 1970-01-01T00:00:00Z");
    }
    return Instant.ofEpochMilli(millis);
  }

  private static EventRefused badTime(final int index, final JsonNode value) {
    return refused(
        index,
        "eventTime",
        "eventTime "
            + value
            + " is neither an ISO-8601 instant (e.g. 2026-11-23T10:15:30.123Z) nor epoch"
            + " milliseconds");
  }

  private static Map<String, String> attributes(final int index, final JsonNode node) {
    final JsonNode value = node.get("attributes");
    if (value == null || value.isNull()) {
      return Map.of();
    }
    if (!value.isObject()) {
      throw refused(index, "attributes", "attributes must be an object of string values");
    }
    final Map<String, String> attributes = new HashMap<>();
    for (final Map.Entry<String, JsonNode> field : value.properties()) {
      if (!field.getValue().isTextual()) {
        throw refused(
            index,
            "attributes",
            "attributes." + field.getKey() + " must be a string, not " + field.getValue());
      }
      attributes.put(field.getKey(), field.getValue().asText());
    }
    return attributes;
  }

  private static EventRefused refused(final int index, final String field, final String reason) {
    return new EventRefused(EventError.of(index, field, reason));
  }

  /** Ends the parsing of one event; caught in {@link #parse}, never leaves this class. */
  private static final class EventRefused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient EventError error;

    EventRefused(final EventError error) {
      super(error.reason(), null, false, false);
      this.error = error;
    }
  }
}
