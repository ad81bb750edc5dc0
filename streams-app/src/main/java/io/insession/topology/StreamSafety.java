package io.insession.topology;

import io.insession.config.InSessionConfig;
import io.insession.session.EventLimits;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The topology's guards against hostile input (issue 9): event limits, how many recent event ids a
 * session remembers, the byte bound of a stored session state, and the largest dead letter the
 * producer can send.
 *
 * @param limits size and time limits of each event
 * @param recentEventIds how many recent event ids a session remembers (retries are applied once)
 * @param stateMaxBytes upper bound of one stored session state, in bytes
 * @param deadLetterMaxBytes largest dead-letter record (key, value and headers) to send whole;
 *     beyond it only the reason and the source coordinates are sent
 */
public record StreamSafety(
    EventLimits limits, int recentEventIds, int stateMaxBytes, int deadLetterMaxBytes) {

  /**
   * What Kafka adds to a record beyond its key, value and headers (record and batch overhead, with
   * room to spare), subtracted from the producer's {@code max.request.size}.
   */
  static final int RECORD_OVERHEAD_BYTES = 1024;

  private static final StreamSafety DEFAULTS = from(InSessionConfig.of(Map.of()));

  /** Checks the bounds. */
  public StreamSafety {
    if (limits == null || recentEventIds < 1 || stateMaxBytes < 1 || deadLetterMaxBytes < 1) {
      throw new IllegalArgumentException("invalid stream safety settings");
    }
  }

  /** InSession's defaults. */
  public static StreamSafety defaults() {
    return DEFAULTS;
  }

  /** The settings {@code config} gives, the dead-letter bound from the producer's request size. */
  public static StreamSafety from(final InSessionConfig config) {
    return new StreamSafety(
        EventLimits.from(config),
        config.getInt(InSessionConfig.SESSION_RECENT_EVENT_IDS),
        config.getInt(InSessionConfig.SESSION_STATE_MAX_BYTES),
        producerMaxRequestSize(config.kafkaProperties()) - RECORD_OVERHEAD_BYTES);
  }

  /** The same settings with other event limits. */
  public StreamSafety withLimits(final EventLimits other) {
    return new StreamSafety(other, recentEventIds, stateMaxBytes, deadLetterMaxBytes);
  }

  /** The same settings with another dead-letter bound. */
  public StreamSafety withDeadLetterMaxBytes(final int bytes) {
    return new StreamSafety(limits, recentEventIds, stateMaxBytes, bytes);
  }

  /** The Streams producer's {@code max.request.size}: prefixed, plain, or Kafka's default. */
  static int producerMaxRequestSize(final Map<String, String> kafka) {
    final String prefixed =
        kafka.get(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG));
    final String plain = kafka.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
    final String value = prefixed != null ? prefixed : plain;
    final int size = value == null ? 1024 * 1024 : Integer.parseInt(value.trim());
    if (size <= 2 * RECORD_OVERHEAD_BYTES) {
      throw new IllegalArgumentException("max.request.size is too small: " + size);
    }
    return size;
  }
}
