package io.insession.api;

import io.insession.kafka.Topic;
import io.insession.schemas.WeblogEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Writes events to the weblog topic: key = session id, record timestamp = event time, value = Avro
 * through the topic's serde. The producer is idempotent with {@code acks=all} and a small linger,
 * so the events of concurrent requests share batches; a write waits for every acknowledgement up to
 * the ack timeout.
 */
final class KafkaEventSink implements EventSink, MeterBinder {

  /** How long the producer waits to fill a batch. */
  static final int LINGER_MS = 5;

  private final Producer<String, WeblogEvent> producer;
  private final String topic;
  private final Duration ackTimeout;
  private KafkaClientMetrics clientMetrics;

  /** For tests: with a given producer. */
  KafkaEventSink(
      final Producer<String, WeblogEvent> producer, final String topic, final Duration ackTimeout) {
    this.producer = Objects.requireNonNull(producer, "producer");
    this.topic = Objects.requireNonNull(topic, "topic");
    this.ackTimeout = Objects.requireNonNull(ackTimeout, "ackTimeout");
  }

  /** A producer to the collector's weblog topic with the API's Kafka settings. */
  static KafkaEventSink create(final LookupApiSettings settings) {
    final CollectorSettings collector =
        Objects.requireNonNull(settings.collector(), "settings.collector");
    final Topic<String, WeblogEvent> weblog = collector.weblog();
    final KafkaProducer<String, WeblogEvent> producer =
        new KafkaProducer<>(
            producerProperties(settings),
            weblog.keySerde().serializer(),
            weblog.valueSerde().serializer());
    return new KafkaEventSink(producer, weblog.name(), collector.ackTimeout());
  }

  /**
   * The producer settings: the pass-through properties, then the ones the collector depends on
   * (idempotence, {@code acks=all}, not transactional) and its defaults (linger, how long a send
   * may block on metadata).
   */
  static Map<String, Object> producerProperties(final LookupApiSettings settings) {
    final Map<String, Object> props = new HashMap<>(settings.kafkaProperties());
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    props.putIfAbsent(
        ProducerConfig.CLIENT_ID_CONFIG, "insession-event-collector-" + UUID.randomUUID());
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
    props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, String.valueOf(LINGER_MS));
    // a request must not hang in send() longer than it would wait for the acknowledgement
    props.putIfAbsent(
        ProducerConfig.MAX_BLOCK_MS_CONFIG,
        String.valueOf(
            Objects.requireNonNull(settings.collector(), "settings.collector")
                .ackTimeout()
                .toMillis()));
    return props;
  }

  @Override
  public void bindTo(final MeterRegistry registry) {
    clientMetrics = new KafkaClientMetrics(producer);
    clientMetrics.bindTo(registry);
  }

  @Override
  public void write(final List<WeblogEvent> events) {
    final long deadline = System.nanoTime() + ackTimeout.toNanos();
    final List<Future<RecordMetadata>> acks = new ArrayList<>(events.size());
    try {
      for (final WeblogEvent event : events) {
        acks.add(
            producer.send(
                new ProducerRecord<>(
                    topic,
                    null,
                    event.getEventTime().toEpochMilli(),
                    event.getSessionId(),
                    event)));
      }
    } catch (KafkaException e) {
      throw failure("Kafka refused the events: ", e);
    }
    for (final Future<RecordMetadata> ack : acks) {
      try {
        ack.get(Math.max(0L, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        throw new NotAcknowledgedException(
            "Kafka did not acknowledge the events within " + ackTimeout.toMillis() + " ms", e);
      } catch (ExecutionException e) {
        throw failure("Kafka did not acknowledge the events: ", e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new NotAcknowledgedException("interrupted while waiting for Kafka", e);
      }
    }
  }

  /**
   * What a failed send means to the client: refused for good when the events themselves are at
   * fault (too large, a timestamp the broker refuses, not serializable), else retryable.
   */
  static RuntimeException failure(final String prefix, final Throwable cause) {
    if (cause instanceof RecordTooLargeException
        || cause instanceof InvalidTimestampException
        || cause instanceof SerializationException) {
      return new EventsRefusedException(prefix + cause.getMessage(), cause);
    }
    return new NotAcknowledgedException(prefix + cause.getMessage(), cause);
  }

  @Override
  public void close() {
    if (clientMetrics != null) {
      clientMetrics.close();
    }
    producer.close(Duration.ofSeconds(5));
  }
}
