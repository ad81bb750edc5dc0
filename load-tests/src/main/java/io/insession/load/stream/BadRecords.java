package io.insession.load.stream;

import io.insession.schemas.EventType;
import io.insession.schemas.WeblogEvent;
import io.insession.topology.DeadLetterReason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Bad weblog records for a load run (the soak of issue 14 mixes them in): one kind after the other,
 * each a record the app must turn into exactly one dead letter while the stream keeps running (the
 * classes of {@code docs/bad-input.md}). A bad record never carries a good event's id, so it never
 * changes a session's list.
 */
public final class BadRecords {

  /** A kind of bad record, in the order they are sent, with the dead-letter reason it gets. */
  public enum Kind {
    NOT_AVRO(DeadLetterReason.UNDECODABLE),
    TRUNCATED_AVRO(DeadLetterReason.UNDECODABLE),
    VIEW_WITHOUT_ITEM(DeadLetterReason.MISSING_ITEM),
    CLOCK_TWO_HOURS_AHEAD(DeadLetterReason.EVENT_TIME_OUT_OF_RANGE),
    NEGATIVE_PRICE(DeadLetterReason.INVALID_AMOUNT),
    KEY_OF_ANOTHER_SESSION(DeadLetterReason.KEY_MISMATCH);

    private final DeadLetterReason reason;

    Kind(final DeadLetterReason reason) {
      this.reason = reason;
    }

    /** The {@code insession.dlq.reason} the app gives this kind. */
    public DeadLetterReason reason() {
      return reason;
    }
  }

  private static final List<Kind> KINDS = List.of(Kind.values());

  private static final Duration CLOCK_AHEAD = Duration.ofHours(2);

  private final String topic;
  private final Serializer<WeblogEvent> serializer;
  private long sent;

  /**
   * @param topic the weblog topic
   * @param serializer the app's event serializer (its wire format)
   */
  public BadRecords(final String topic, final Serializer<WeblogEvent> serializer) {
    this.topic = topic;
    this.serializer = serializer;
  }

  /** The kind the next {@link #next} call makes. */
  public Kind nextKind() {
    return KINDS.get((int) (sent % KINDS.size()));
  }

  /**
   * The next bad record, in the session of a replayed click.
   *
   * @param eventId an id no good event of the run has
   */
  public ProducerRecord<String, byte[]> next(
      final String eventId, final String sessionId, final String itemId, final Instant now) {
    final Kind kind = nextKind();
    sent++;
    final WeblogEvent.Builder event =
        WeblogEvent.newBuilder()
            .setEventId(eventId)
            .setSessionId(sessionId)
            .setEventType(EventType.PRODUCT_VIEW)
            .setItemId(itemId)
            .setEventTime(now);
    final String key = kind == Kind.KEY_OF_ANOTHER_SESSION ? "not-" + sessionId : sessionId;
    final byte[] value =
        switch (kind) {
          case NOT_AVRO ->
              ("{\"sessionId\":\"" + sessionId + "\",\"itemId\":\"" + itemId + "\"}")
                  .getBytes(StandardCharsets.UTF_8);
          case TRUNCATED_AVRO -> Arrays.copyOf(encode(event.build()), 12);
          case VIEW_WITHOUT_ITEM -> encode(event.setItemId(null).build());
          case CLOCK_TWO_HOURS_AHEAD -> encode(event.setEventTime(now.plus(CLOCK_AHEAD)).build());
          case NEGATIVE_PRICE ->
              encode(
                  event
                      .setEventType(EventType.PURCHASE)
                      .setPrice(-1.0)
                      .setQuantity(1)
                      .setCurrency("EUR")
                      .setOrderId(eventId)
                      .build());
          case KEY_OF_ANOTHER_SESSION -> encode(event.build());
        };
    return new ProducerRecord<>(topic, null, now.toEpochMilli(), key, value);
  }

  /** Bad records made so far. */
  public long sent() {
    return sent;
  }

  private byte[] encode(final WeblogEvent event) {
    return serializer.serialize(topic, new RecordHeaders(), event);
  }
}
