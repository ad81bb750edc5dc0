package io.insession.topology;

import io.insession.schemas.WeblogEvent;

/** A weblog record after validation: either a good event or a dead letter. */
sealed interface CheckedEvent {

  /** A valid event, decoded. */
  record Valid(WeblogEvent event) implements CheckedEvent {}

  /** A bad record, kept byte for byte as it arrived, with the reason. */
  record Invalid(DeadLetterReason reason, String detail, byte[] rawKey, byte[] rawValue)
      implements CheckedEvent {}
}
