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

  private DeadLetterHeaders() {}
}
