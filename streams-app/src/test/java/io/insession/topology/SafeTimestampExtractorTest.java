package io.insession.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.insession.metrics.TopologyMetrics;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/**
 * {@link SafeTimestampExtractor}: a negative record timestamp (which Kafka's default extractor
 * refuses, stopping the application) falls back to a sane time. The Java producer and {@code
 * TopologyTestDriver} cannot write such a record (librdkafka clients can), hence a unit test.
 */
class SafeTimestampExtractorTest {

  private final AtomicInteger invalid = new AtomicInteger();
  private final SafeTimestampExtractor extractor =
      new SafeTimestampExtractor(
          new TopologyMetrics() {
            @Override
            public void invalidRecordTimestamp() {
              invalid.incrementAndGet();
            }
          });

  private static ConsumerRecord<Object, Object> record(final long timestamp) {
    return new ConsumerRecord<>(
        "weblog-events",
        0,
        7L,
        timestamp,
        TimestampType.CREATE_TIME,
        1,
        1,
        "k",
        "v",
        new RecordHeaders(),
        Optional.empty());
  }

  @Test
  void shouldKeepAValidRecordTimestamp() {
    assertThat(extractor.extract(record(1_000L), 5_000L)).isEqualTo(1_000L);
    assertThat(extractor.extract(record(0L), 5_000L)).isZero();
    assertThat(invalid).hasValue(0);
  }

  @Test
  void shouldUseThePartitionTimeForANegativeRecordTimestampAndCountIt() {
    assertThat(extractor.extract(record(-1L), 5_000L)).isEqualTo(5_000L);
    assertThat(extractor.extract(record(Long.MIN_VALUE), 5_000L)).isEqualTo(5_000L);
    assertThat(invalid).hasValue(2);
  }

  @Test
  void shouldUseTheWallClockWhenThePartitionHasNoTimeYet() {
    final long before = System.currentTimeMillis();
    final long extracted = extractor.extract(record(-1L), -1L);
    assertThat(extracted).isGreaterThanOrEqualTo(before);
    assertThat(invalid).hasValue(1);
  }
}
