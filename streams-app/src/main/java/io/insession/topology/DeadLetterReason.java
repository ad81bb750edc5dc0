package io.insession.topology;

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
  KEY_MISMATCH
}
