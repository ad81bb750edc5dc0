package io.insession.topology;

import io.insession.session.WeblogEventChecks;

/** Why a weblog record went to the dead-letter topic (the {@code insession.dlq.reason} header). */
public enum DeadLetterReason {
  /** The record has no key: events must be keyed by session id. */
  MISSING_KEY,
  /** The record has no value (a tombstone on the weblog topic). */
  MISSING_VALUE,
  /** The value is not a WeblogEvent in Avro single-object encoding of a known schema. */
  UNDECODABLE,
  /** A required field is empty. */
  MISSING_FIELD,
  /** The event concerns an item but names none. */
  MISSING_ITEM,
  /** The key is not the event's session id. */
  KEY_MISMATCH,
  /** An id, attribute key or attribute value is longer than its limit. */
  FIELD_TOO_LONG,
  /** The event carries more attributes than allowed. */
  TOO_MANY_ATTRIBUTES,
  /** The record (key plus value) is larger than {@code insession.event.max.record.bytes}. */
  RECORD_TOO_LARGE,
  /**
   * The event time is negative, more than {@code insession.event.time.max.past.ms} before its
   * arrival, or more than {@code insession.event.time.max.future.ms} ahead of the stream's clock.
   */
  EVENT_TIME_OUT_OF_RANGE,
  /** A price that is negative, NaN or infinite, or a quantity below 1 (docs/experiments.md). */
  INVALID_AMOUNT;

  /** The dead-letter reason for a broken event rule. */
  static DeadLetterReason of(final WeblogEventChecks.Rule rule) {
    return switch (rule) {
      case MISSING_FIELD -> MISSING_FIELD;
      case MISSING_ITEM -> MISSING_ITEM;
      case FIELD_TOO_LONG -> FIELD_TOO_LONG;
      case TOO_MANY_ATTRIBUTES -> TOO_MANY_ATTRIBUTES;
      case RECORD_TOO_LARGE -> RECORD_TOO_LARGE;
      case EVENT_TIME_OUT_OF_RANGE -> EVENT_TIME_OUT_OF_RANGE;
      case INVALID_AMOUNT -> INVALID_AMOUNT;
    };
  }
}
