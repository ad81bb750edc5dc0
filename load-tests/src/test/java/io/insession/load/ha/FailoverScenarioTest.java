package io.insession.load.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.insession.kafka.JavaKeyPartitioner;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FailoverScenarioTest {

  private static final Function<String, byte[]> UTF8 = s -> s.getBytes(StandardCharsets.UTF_8);

  @ParameterizedTest
  @CsvSource({"24, 6", "120, 6", "25, 6", "6, 6", "7, 3", "5, 1"})
  void shouldSpreadTheSessionsOverEveryPartitionAsEvenlyAsCountsAllow(
      final int sessions, final int partitions) {
    final List<String> ids =
        FailoverScenario.spreadSessionIds("ha-kill-123-s", sessions, partitions, UTF8);

    assertThat(ids).hasSize(sessions);
    assertThat(new HashSet<>(ids)).as("distinct").hasSize(sessions);
    assertThat(ids).allMatch(id -> id.startsWith("ha-kill-123-s"));
    final Map<Integer, Long> perPartition =
        ids.stream()
            .collect(
                Collectors.groupingBy(
                    id -> JavaKeyPartitioner.partitionOf(UTF8.apply(id), partitions),
                    Collectors.counting()));
    assertThat(perPartition).as("every partition has sessions").hasSize(partitions);
    assertThat(perPartition.values())
        .allMatch(n -> n == sessions / partitions || n == sessions / partitions + 1);
    // consecutive sessions (so consecutive events) go to different partitions
    for (int i = 0; i + 1 < Math.min(partitions, ids.size()); i++) {
      assertThat(JavaKeyPartitioner.partitionOf(UTF8.apply(ids.get(i)), partitions))
          .isNotEqualTo(JavaKeyPartitioner.partitionOf(UTF8.apply(ids.get(i + 1)), partitions));
    }
  }

  @ParameterizedTest
  @CsvSource({"24, 6", "120, 6"})
  void shouldGiveTheSameIdsForTheSamePrefix(final int sessions, final int partitions) {
    assertThat(FailoverScenario.spreadSessionIds("app-s", sessions, partitions, UTF8))
        .isEqualTo(FailoverScenario.spreadSessionIds("app-s", sessions, partitions, UTF8));
  }
}
