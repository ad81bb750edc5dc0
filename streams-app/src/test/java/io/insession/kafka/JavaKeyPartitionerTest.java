package io.insession.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class JavaKeyPartitionerTest {

  @Test
  void shouldPickThePartitionTheJavaProducerPicksForAKey() {
    for (final int partitions : new int[] {1, 2, 3, 4, 12, 100}) {
      IntStream.range(0, 500)
          .mapToObj(i -> ("session-" + i).getBytes(StandardCharsets.UTF_8))
          .forEach(
              key ->
                  assertThat(JavaKeyPartitioner.partitionOf(key, partitions))
                      .isEqualTo(BuiltInPartitioner.partitionForKey(key, partitions)));
    }
  }

  @Test
  void shouldWriteAKeyedRecordToItsKeyPartitionAndLeaveAnUnkeyedOneToStreams() {
    final byte[] key = "alice".getBytes(StandardCharsets.UTF_8);
    assertThat(new JavaKeyPartitioner().partitions("t", key, new byte[0], 8))
        .contains(Set.of(BuiltInPartitioner.partitionForKey(key, 8)));
    assertThat(new JavaKeyPartitioner().partitions("t", null, new byte[0], 8))
        .isEqualTo(Optional.empty());
  }

  @Test
  void shouldRefuseAMissingKeyOrNoPartitions() {
    assertThatThrownBy(() -> JavaKeyPartitioner.partitionOf(null, 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("without a key");
    assertThatThrownBy(() -> JavaKeyPartitioner.partitionOf(new byte[] {1}, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(">= 1");
  }
}
