package io.insession.topology;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;

/** Header names on dead-letter records: why it failed and where it came from. */
public final class DeadLetterHeaders {
  /** A {@link DeadLetterReason} name. */
  public static final String REASON = "insession.dlq.reason";

  /** A human-readable explanation. */
  public static final String DETAIL = "insession.dlq.detail";

  public static final String SOURCE_TOPIC = "insession.dlq.source.topic";
  public static final String SOURCE_PARTITION = "insession.dlq.source.partition";
  public static final String SOURCE_OFFSET = "insession.dlq.source.offset";

  /**
   * Present when the original key, value and headers were left out because the dead letter would
   * not fit the producer's request size: the original record's size in bytes. Read the original
   * from the source coordinates while the weblog topic retains it.
   */
  public static final String DROPPED_BYTES = "insession.dlq.dropped.bytes";

  /** Longest {@link #DETAIL} (characters); a longer detail is cut. */
  public static final int MAX_DETAIL_CHARS = 1000;

  private DeadLetterHeaders() {}

  /** The dead-letter topic Kafka Streams' exception handlers are configured with, or null. */
  static String configuredTopic(final Map<String, ?> configs) {
    final Object topic = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
    return topic == null ? null : topic.toString();
  }

  /**
   * Sets InSession's headers on a dead letter an exception handler builds: the reason, the detail
   * (cut) and the source coordinates of the input record.
   */
  static void describe(
      final Headers headers,
      final String reason,
      final String detail,
      final ErrorHandlerContext source) {
    set(headers, REASON, reason);
    set(headers, DETAIL, truncateDetail(detail));
    set(headers, SOURCE_TOPIC, String.valueOf(source.topic()));
    set(headers, SOURCE_PARTITION, String.valueOf(source.partition()));
    set(headers, SOURCE_OFFSET, String.valueOf(source.offset()));
  }

  /** Replaces header {@code name} with {@code value} (UTF-8). */
  static void set(final Headers headers, final String name, final String value) {
    headers.remove(name);
    headers.add(name, String.valueOf(value).getBytes(StandardCharsets.UTF_8));
  }

  /** {@code detail} cut to {@link #MAX_DETAIL_CHARS}. */
  static String truncateDetail(final String detail) {
    final String text = String.valueOf(detail);
    if (text.length() <= MAX_DETAIL_CHARS) {
      return text;
    }
    return text.substring(0, MAX_DETAIL_CHARS - 20) + "... (truncated)";
  }
}
