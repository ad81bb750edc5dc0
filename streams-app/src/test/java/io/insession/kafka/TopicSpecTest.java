package io.insession.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicSpecTest {

  @Test
  void shouldCopyConfigsSoLaterChangesDoNotLeakIn() {
    final Map<String, String> configs = new HashMap<>(Map.of("retention.ms", "1000"));
    final TopicSpec spec = new TopicSpec("t", 3, (short) 1, configs);
    configs.put("cleanup.policy", "delete");
    assertThat(spec.configs()).containsExactly(Map.entry("retention.ms", "1000"));
  }

  @Test
  void shouldBuildCompactedTopics() {
    final TopicSpec spec = TopicSpec.compacted("item-catalog", 2, (short) 1);
    assertThat(spec.configs()).containsEntry("cleanup.policy", "compact");
    assertThat(spec.withConfig("min.compaction.lag.ms", "0").configs())
        .containsEntry("cleanup.policy", "compact")
        .containsEntry("min.compaction.lag.ms", "0");
  }

  @Test
  void shouldUseBrokerDefaultReplicationUnlessGiven() {
    assertThat(TopicSpec.of("t", 1).replicationFactor()).isEqualTo(TopicSpec.BROKER_DEFAULT);
    assertThat(TopicSpec.of("t", 1).withReplicationFactor((short) 3).replicationFactor())
        .isEqualTo((short) 3);
  }

  @Test
  void shouldRejectBadArguments() {
    assertThrows(IllegalArgumentException.class, () -> TopicSpec.of(" ", 1));
    assertThrows(IllegalArgumentException.class, () -> TopicSpec.of("t", 0));
    assertThrows(IllegalArgumentException.class, () -> new TopicSpec("t", 1, (short) 0, Map.of()));
    assertThrows(NullPointerException.class, () -> new TopicSpec("t", 1, (short) 1, null));
  }
}
