package io.insession.topology;

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

  /** {@code detail} cut to {@link #MAX_DETAIL_CHARS}. */
  static String truncateDetail(final String detail) {
    final String text = String.valueOf(detail);
    if (text.length() <= MAX_DETAIL_CHARS) {
      return text;
    }
    return text.substring(0, MAX_DETAIL_CHARS - 20) + "... (truncated)";
  }
}
