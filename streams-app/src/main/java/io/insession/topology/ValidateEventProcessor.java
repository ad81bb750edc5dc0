package io.insession.topology;

import io.insession.metrics.TopologyMetrics;
import io.insession.schemas.WeblogEvent;
import io.insession.session.WeblogEventChecks;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.errors.SerializationException;
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
 */
final class ValidateEventProcessor implements Processor<byte[], byte[], String, CheckedEvent> {

  private final Deserializer<WeblogEvent> decoder;
  private final TopologyMetrics metrics;
  private ProcessorContext<String, CheckedEvent> context;

  ValidateEventProcessor(final Deserializer<WeblogEvent> decoder, final TopologyMetrics metrics) {
    this.decoder = decoder;
    this.metrics = metrics;
  }

  @Override
  public void init(final ProcessorContext<String, CheckedEvent> context) {
    this.context = context;
  }

  @Override
  public void process(final Record<byte[], byte[]> record) {
    metrics.eventIn();
    final CheckedEvent checked = check(record.key(), record.value());
    if (checked instanceof CheckedEvent.Valid valid) {
      context.forward(
          new Record<String, CheckedEvent>(
              valid.event().getSessionId(), valid, record.timestamp(), record.headers()));
    } else {
      final CheckedEvent.Invalid invalid = (CheckedEvent.Invalid) checked;
      metrics.deadLetter(invalid.reason().name());
      context.forward(
          new Record<String, CheckedEvent>(
              null, invalid, record.timestamp(), deadLetterHeaders(record.headers(), invalid)));
    }
  }

  private CheckedEvent check(final byte[] key, final byte[] value) {
    if (key == null || key.length == 0) {
      return invalid(
          DeadLetterReason.MISSING_KEY, "record has no key (the session id)", key, value);
    }
    if (value == null) {
      return invalid(DeadLetterReason.MISSING_VALUE, "record has no value", key, value);
    }
    final WeblogEvent event;
    try {
      event = decoder.deserialize(topic(), value);
    } catch (SerializationException e) {
      return invalid(DeadLetterReason.UNDECODABLE, e.getMessage(), key, value);
    }
    final Optional<WeblogEventChecks.Violation> ids = WeblogEventChecks.checkIds(event);
    if (ids.isPresent()) {
      return invalid(DeadLetterReason.MISSING_FIELD, ids.get().detail(), key, value);
    }
    final String keyText = new String(key, StandardCharsets.UTF_8);
    if (!keyText.equals(event.getSessionId())) {
      return invalid(
          DeadLetterReason.KEY_MISMATCH,
          "key '" + keyText + "' is not the sessionId '" + event.getSessionId() + "'",
          key,
          value);
    }
    final Optional<WeblogEventChecks.Violation> item = WeblogEventChecks.checkItem(event);
    if (item.isPresent()) {
      return invalid(DeadLetterReason.MISSING_ITEM, item.get().detail(), key, value);
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
    put(headers, DeadLetterHeaders.DETAIL, String.valueOf(invalid.detail()));
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
