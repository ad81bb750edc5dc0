package io.insession.topology;

import io.insession.kafka.JavaKeyPartitioner;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Tells raw weblog records that sit on the partition the Java producer would have chosen for their
 * key ({@link JavaKeyPartitioner}, murmur2) from those a producer with another partitioner (e.g.
 * librdkafka's default CRC32) put elsewhere. One instance keeps one of the two kinds and drops the
 * other: the topology runs one of each side by side, and sends only the misplaced records through
 * the {@code weblog-rerouted} repartition hop, so that every event of a session reaches the one
 * task that owns the session's state.
 *
 * <p>A record without a key counts as in place (there is no key partition; validation sends it to
 * the dead-letter topic). A misplaced record keeps its headers and gets three more naming where it
 * first arrived ({@link #REROUTED_FROM_TOPIC}, {@link #REROUTED_FROM_PARTITION}, {@link
 * #REROUTED_FROM_OFFSET}), since after the hop its source is the repartition topic.
 */
final class KeyPlacementFilter implements FixedKeyProcessor<byte[], byte[], byte[]> {

  /** Header on a rerouted record: the topic it was first read from. */
  static final String REROUTED_FROM_TOPIC = "insession.rerouted.from.topic";

  /** Header on a rerouted record: the partition it was first read from. */
  static final String REROUTED_FROM_PARTITION = "insession.rerouted.from.partition";

  /** Header on a rerouted record: its offset in that partition. */
  static final String REROUTED_FROM_OFFSET = "insession.rerouted.from.offset";

  private final int partitions;
  private final boolean keepMisplaced;
  private FixedKeyProcessorContext<byte[], byte[]> context;

  private KeyPlacementFilter(final int partitions, final boolean keepMisplaced) {
    if (partitions < 1) {
      throw new IllegalArgumentException("weblog partitions must be >= 1: " + partitions);
    }
    this.partitions = partitions;
    this.keepMisplaced = keepMisplaced;
  }

  /** Keeps the records on their key's murmur2 partition (and those without a key). */
  static KeyPlacementFilter inPlace(final int partitions) {
    return new KeyPlacementFilter(partitions, false);
  }

  /** Keeps the records on another partition than their key's murmur2 partition. */
  static KeyPlacementFilter misplaced(final int partitions) {
    return new KeyPlacementFilter(partitions, true);
  }

  /**
   * Whether a record with {@code key} read from {@code partition} of a topic with {@code
   * partitions} partitions is not where the Java producer would have put it.
   */
  static boolean isMisplaced(final byte[] key, final int partition, final int partitions) {
    return key != null && JavaKeyPartitioner.partitionOf(key, partitions) != partition;
  }

  @Override
  public void init(final FixedKeyProcessorContext<byte[], byte[]> context) {
    this.context = context;
  }

  @Override
  public void process(final FixedKeyRecord<byte[], byte[]> record) {
    final RecordMetadata source =
        context
            .recordMetadata()
            .orElseThrow(() -> new IllegalStateException("a weblog record without a source"));
    final boolean misplaced = isMisplaced(record.key(), source.partition(), partitions);
    if (misplaced != keepMisplaced) {
      return;
    }
    if (!misplaced) {
      context.forward(record);
      return;
    }
    final Headers headers = new RecordHeaders(record.headers().toArray());
    put(headers, REROUTED_FROM_TOPIC, source.topic());
    put(headers, REROUTED_FROM_PARTITION, String.valueOf(source.partition()));
    put(headers, REROUTED_FROM_OFFSET, String.valueOf(source.offset()));
    context.forward(record.withHeaders(headers));
  }

  private static void put(final Headers headers, final String name, final String value) {
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }
}
