package io.insession.topology;

import io.insession.metrics.TopologyMetrics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * A record timestamp extractor that never fails the stream. A record's own timestamp is used when
 * it is valid (not negative); otherwise the partition's time so far, or when there is none yet the
 * wall clock, and the record is counted ({@link TopologyMetrics#invalidRecordTimestamp}). Kafka
 * Streams' default extractor throws on a negative timestamp, which stops the application on every
 * restart.
 *
 * <p>Installed on the weblog source by {@link RecommenderTopology} (with metrics) and as {@code
 * default.timestamp.extractor} in the Streams properties (without), so no source is left with the
 * failing default.
 */
public final class SafeTimestampExtractor implements TimestampExtractor {

  private final TopologyMetrics metrics;

  /** Without metrics (as Kafka Streams instantiates it from the properties). */
  public SafeTimestampExtractor() {
    this(TopologyMetrics.NONE);
  }

  /** Counting the records whose timestamp was replaced into {@code metrics}. */
  public SafeTimestampExtractor(final TopologyMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public long extract(final ConsumerRecord<Object, Object> record, final long partitionTime) {
    final long timestamp = record.timestamp();
    if (timestamp >= 0) {
      return timestamp;
    }
    metrics.invalidRecordTimestamp();
    return partitionTime >= 0 ? partitionTime : System.currentTimeMillis();
  }
}
