package io.insession.session;

import io.insession.schemas.EventType;
import io.insession.schemas.WeblogEvent;
import java.time.Instant;
import java.util.Map;

/**
 * The control record that forgets a session: a {@link WeblogEvent} of type {@code FORGET_SESSION},
 * keyed by the session id on the weblog topic, so it reaches the task that holds the session, after
 * the session's earlier events and in the same exactly-once transactions as they (docs/privacy.md).
 */
public final class ForgetRequests {

  private ForgetRequests() {}

  /**
   * The control record for {@code sessionId}.
   *
   * @param sessionId the session to forget
   * @param eventId the record's own id (a UUID)
   * @param time when it was asked for (its record timestamp too)
   * @return the event, with no item, user or attributes
   */
  public static WeblogEvent of(final String sessionId, final String eventId, final Instant time) {
    return WeblogEvent.newBuilder()
        .setEventId(eventId)
        .setSessionId(sessionId)
        .setUserId(null)
        .setEventType(EventType.FORGET_SESSION)
        .setItemId(null)
        .setEventTime(time)
        .setAttributes(Map.of())
        .build();
  }
}
