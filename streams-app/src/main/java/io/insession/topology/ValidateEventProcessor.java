package io.insession.topology;

import io.insession.metrics.TopologyMetrics;
import io.insession.schemas.WeblogEvent;
import io.insession.session.EventLimits;
import io.insession.session.WeblogEventChecks;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Decodes and checks each raw weblog record. A good one goes on as {@link CheckedEvent.Valid},
 * keyed by session id; a bad one as {@link CheckedEvent.Invalid} with its original bytes and
 * dead-letter headers (reason, detail, source topic, partition and offset). Never throws on bad
 * input. Counts every record in, and every dead letter by reason.
 *
 * <p>Sizes are checked before they can hurt (the record before decoding, then every id and
 * attribute), and the event time must lie within the window of {@link EventLimits} around its
 * arrival: the earlier of the record's timestamp and this stream's clock, so a record stamped with
 * a skewed event time cannot widen its own window. An accepted event's time is then a timestamp the
 * broker accepts for its list. The dead letter always fits the producer's request size: its detail
 * is cut, and when the original key, value and headers would not fit they are left out (header
 * {@link DeadLetterHeaders#DROPPED_BYTES}), the source coordinates pointing to them.
 */
final class ValidateEventProcessor implements Processor<byte[], byte[], String, CheckedEvent> {

  private final Deserializer<WeblogEvent> decoder;
  private final StreamSafety safety;
  private final TopologyMetrics metrics;
  private ProcessorContext<String, CheckedEvent> context;

  ValidateEventProcessor(
      final Deserializer<WeblogEvent> decoder,
      final StreamSafety safety,
      final TopologyMetrics metrics) {
    this.decoder = decoder;
    this.safety = safety;
    this.metrics = metrics;
  }

  @Override
  public void init(final ProcessorContext<String, CheckedEvent> context) {
    this.context = context;
  }

  @Override
  public void process(final Record<byte[], byte[]> record) {
    metrics.eventIn();
    final CheckedEvent checked = check(record.key(), record.value(), record.timestamp());
    if (checked instanceof CheckedEvent.Valid valid) {
      context.forward(
          new Record<String, CheckedEvent>(
              valid.event().getSessionId(), valid, record.timestamp(), record.headers()));
    } else {
      final CheckedEvent.Invalid invalid = (CheckedEvent.Invalid) checked;
      metrics.deadLetter(invalid.reason().name());
      forwardDeadLetter(record, invalid);
    }
  }

  /** The dead letter whole, or (when it would not fit) its reason and source coordinates only. */
  private void forwardDeadLetter(
      final Record<byte[], byte[]> record, final CheckedEvent.Invalid invalid) {
    final Headers whole = deadLetterHeaders(record.headers(), invalid);
    final long bytes = length(invalid.rawKey()) + length(invalid.rawValue()) + size(whole);
    if (bytes <= safety.deadLetterMaxBytes()) {
      context.forward(new Record<String, CheckedEvent>(null, invalid, record.timestamp(), whole));
      return;
    }
    final Headers reference = deadLetterHeaders(new RecordHeaders(), invalid);
    put(reference, DeadLetterHeaders.DROPPED_BYTES, String.valueOf(bytes));
    final CheckedEvent.Invalid stripped =
        new CheckedEvent.Invalid(invalid.reason(), invalid.detail(), null, null);
    context.forward(
        new Record<String, CheckedEvent>(null, stripped, record.timestamp(), reference));
  }

  private static long length(final byte[] bytes) {
    return bytes == null ? 0 : bytes.length;
  }

  private static long size(final Headers headers) {
    long bytes = 0;
    for (final Header header : headers) {
      bytes += header.key().length() * 3L + length(header.value());
    }
    return bytes;
  }

  private CheckedEvent check(final byte[] key, final byte[] value, final long timestamp) {
    if (key == null || key.length == 0) {
      return invalid(
          DeadLetterReason.MISSING_KEY, "record has no key (the session id)", key, value);
    }
    if (value == null) {
      return invalid(DeadLetterReason.MISSING_VALUE, "record has no value", key, value);
    }
    final Optional<WeblogEventChecks.Violation> size =
        WeblogEventChecks.checkRecordSize(key.length, value.length, safety.limits());
    if (size.isPresent()) {
      return invalid(DeadLetterReason.RECORD_TOO_LARGE, size.get().detail(), key, value);
    }
    final WeblogEvent event;
    try {
      event = decoder.deserialize(topic(), value);
    } catch (SerializationException e) {
      return invalid(DeadLetterReason.UNDECODABLE, e.getMessage(), key, value);
    } catch (RuntimeException e) {
      // hostile bytes can break the decoder in other ways (lengths, limits): still a bad record
      return invalid(DeadLetterReason.UNDECODABLE, String.valueOf(e), key, value);
    }
    final Optional<WeblogEventChecks.Violation> ids = WeblogEventChecks.checkIds(event);
    if (ids.isPresent()) {
      return invalid(DeadLetterReason.MISSING_FIELD, ids.get().detail(), key, value);
    }
    final String keyText = new String(key, StandardCharsets.UTF_8);
    if (!keyText.equals(event.getSessionId())) {
      return invalid(
          DeadLetterReason.KEY_MISMATCH,
          "key '"
              + WeblogEventChecks.abbreviate(keyText)
              + "' is not the sessionId '"
              + WeblogEventChecks.abbreviate(event.getSessionId())
              + "'",
          key,
          value);
    }
    final long now = context.currentSystemTimeMs();
    final Optional<WeblogEventChecks.Violation> broken =
        WeblogEventChecks.check(event, safety.limits())
            .or(
                () ->
                    WeblogEventChecks.checkTime(
                        event, Math.min(timestamp, now), now, safety.limits()));
    if (broken.isPresent()) {
      return invalid(DeadLetterReason.of(broken.get().rule()), broken.get().detail(), key, value);
    }
    return new CheckedEvent.Valid(event);
  }

  private static CheckedEvent invalid(
      final DeadLetterReason reason, final String detail, final byte[] key, final byte[] value) {
    return new CheckedEvent.Invalid(reason, detail, key, value);
  }

  private String topic() {
    return context.recordMetadata().map(RecordMetadata::topic).orElse("unknown");
  }

  private Headers deadLetterHeaders(final Headers original, final CheckedEvent.Invalid invalid) {
    final Headers headers = new RecordHeaders(original.toArray());
    final Optional<RecordMetadata> source = context.recordMetadata();
    put(headers, DeadLetterHeaders.REASON, invalid.reason().name());
    put(headers, DeadLetterHeaders.DETAIL, DeadLetterHeaders.truncateDetail(invalid.detail()));
    put(headers, DeadLetterHeaders.SOURCE_TOPIC, source.map(RecordMetadata::topic).orElse(""));
    put(
        headers,
        DeadLetterHeaders.SOURCE_PARTITION,
        source.map(m -> String.valueOf(m.partition())).orElse(""));
    put(
        headers,
        DeadLetterHeaders.SOURCE_OFFSET,
        source.map(m -> String.valueOf(m.offset())).orElse(""));
    return headers;
  }

  private static void put(final Headers headers, final String name, final String value) {
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }
}
