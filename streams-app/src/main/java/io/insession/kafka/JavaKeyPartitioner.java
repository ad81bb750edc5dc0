package io.insession.kafka;

import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * The partition the Java producer's default partitioner gives a keyed record: {@code
 * toPositive(murmur2(keyBytes)) % partitions}. librdkafka's {@code partitioner=murmur2_random}
 * gives the same; its default {@code consistent_random} (CRC32) does not.
 *
 * <p>As a {@link StreamPartitioner} it writes a record to that partition of the topic it goes to; a
 * record without a key keeps Kafka Streams' default choice.
 */
public final class JavaKeyPartitioner implements StreamPartitioner<byte[], byte[]> {

  /**
   * The Java producer's partition of {@code keyBytes} over {@code partitions}.
   *
   * @throws IllegalArgumentException if {@code keyBytes} is null or {@code partitions} is below 1
   */
  public static int partitionOf(final byte[] keyBytes, final int partitions) {
    if (keyBytes == null) {
      throw new IllegalArgumentException("a record without a key has no key partition");
    }
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1: " + partitions);
    }
    return Utils.toPositive(Utils.murmur2(keyBytes)) % partitions;
  }

  @Override
  public Optional<Set<Integer>> partitions(
      final String topic, final byte[] key, final byte[] value, final int numPartitions) {
    if (key == null) {
      return Optional.empty();
    }
    return Optional.of(Set.of(partitionOf(key, numPartitions)));
  }
}
