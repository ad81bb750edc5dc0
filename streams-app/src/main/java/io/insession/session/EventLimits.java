package io.insession.session;

import io.insession.config.InSessionConfig;
import java.util.Map;

/**
 * The size and time limits a weblog event must meet (issue 9: enforced before they hurt). Values
 * come from {@link InSessionConfig}, which holds the defaults.
 *
 * @param maxSessionIdChars longest session id
 * @param maxEventIdChars longest event id
 * @param maxUserIdChars longest user id
 * @param maxItemIdChars longest item id
 * @param maxAttributes most attributes
 * @param maxAttributeChars longest attribute key, and longest attribute value
 * @param maxRecordBytes largest record (key plus value, bytes)
 * @param maxFutureMs how far an event time may lie ahead of the clock
 * @param maxPastMs how far an event time may lie before its arrival
 */
public record EventLimits(
    int maxSessionIdChars,
    int maxEventIdChars,
    int maxUserIdChars,
    int maxItemIdChars,
    int maxAttributes,
    int maxAttributeChars,
    int maxRecordBytes,
    long maxFutureMs,
    long maxPastMs) {

  private static final EventLimits DEFAULTS = from(InSessionConfig.of(Map.of()));

  /** Checks that every limit is usable. */
  public EventLimits {
    if (maxSessionIdChars < 1
        || maxEventIdChars < 1
        || maxUserIdChars < 1
        || maxItemIdChars < 1
        || maxAttributes < 0
        || maxAttributeChars < 1
        || maxRecordBytes < 1
        || maxFutureMs < 0
        || maxPastMs < 0) {
      throw new IllegalArgumentException("event limits must be positive: " + this);
    }
  }

  /** The limits with InSession's default settings. */
  public static EventLimits defaults() {
    return DEFAULTS;
  }

  /** The limits {@code config} sets. */
  public static EventLimits from(final InSessionConfig config) {
    return new EventLimits(
        config.getInt(InSessionConfig.EVENT_MAX_SESSION_ID_CHARS),
        config.getInt(InSessionConfig.EVENT_MAX_EVENT_ID_CHARS),
        config.getInt(InSessionConfig.EVENT_MAX_USER_ID_CHARS),
        config.getInt(InSessionConfig.EVENT_MAX_ITEM_ID_CHARS),
        config.getInt(InSessionConfig.EVENT_MAX_ATTRIBUTES),
        config.getInt(InSessionConfig.EVENT_MAX_ATTRIBUTE_CHARS),
        config.getInt(InSessionConfig.EVENT_MAX_RECORD_BYTES),
        config.getLong(InSessionConfig.EVENT_TIME_MAX_FUTURE_MS),
        config.getLong(InSessionConfig.EVENT_TIME_MAX_PAST_MS));
  }
}
