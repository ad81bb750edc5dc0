package io.insession.testing;

import io.insession.schemas.EventType;
import io.insession.schemas.WeblogEvent;
import java.time.Instant;

/** Weblog events for tests. */
public final class TestEvents {

  private TestEvents() {}

  /** A product view. */
  public static WeblogEvent view(
      final String sessionId, final String eventId, final String item, final Instant time) {
    return event(sessionId, eventId, EventType.PRODUCT_VIEW, item, time);
  }

  /** Any event ({@code item} may be null). */
  public static WeblogEvent event(
      final String sessionId,
      final String eventId,
      final EventType type,
      final String item,
      final Instant time) {
    return WeblogEvent.newBuilder()
        .setEventId(eventId)
        .setSessionId(sessionId)
        .setEventType(type)
        .setItemId(item)
        .setEventTime(time)
        .build();
  }
}
