package io.insession.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insession.testing.KafkaTestCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TopicSetupIT {

  @RegisterExtension static final KafkaTestCluster KAFKA = new KafkaTestCluster();

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @Test
  void shouldCreateMissingTopicsWithTheirConfigsAndLeaveExistingOnes() throws Exception {
    final String existing = KAFKA.uniqueName("existing");
    final String compacted = KAFKA.uniqueName("catalog");
    final String plain = KAFKA.uniqueName("events");
    KAFKA.createTopics(existing);

    try (Admin admin = Admin.create(KAFKA.adminProps())) {
      final List<TopicSpec> wanted =
          List.of(
              TopicSpec.of(existing, 4),
              TopicSpec.compacted(compacted, 2, TopicSpec.BROKER_DEFAULT),
              TopicSpec.of(plain, 3));

      assertThat(TopicSetup.ensureTopics(admin, wanted, TIMEOUT)).containsExactly(compacted, plain);
      assertThat(TopicSetup.ensureTopics(admin, wanted, TIMEOUT)).isEmpty();

      final var descriptions =
          admin.describeTopics(Set.of(existing, compacted, plain)).allTopicNames().get();
      assertThat(partitions(descriptions.get(existing))).as("left unchanged").isEqualTo(1);
      assertThat(partitions(descriptions.get(compacted))).isEqualTo(2);
      assertThat(partitions(descriptions.get(plain))).isEqualTo(3);

      final ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, compacted);
      final Config config = admin.describeConfigs(Set.of(resource)).all().get().get(resource);
      assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
    }
  }

  @Test
  void shouldNameTheSettingsAnExistingTopicLacksWithTheCommandThatAddsThem() throws Exception {
    final String recommendations = KAFKA.uniqueName("recommendations");
    KAFKA.createTopics(recommendations); // as created before the topic was compacted
    final TopicSpec wanted =
        TopicSpec.of(recommendations, 1)
            .withConfig("cleanup.policy", "compact,delete")
            .withConfig("retention.ms", "86400000");

    try (Admin admin = Admin.create(KAFKA.adminProps())) {
      assertThat(TopicSetup.ensureTopics(admin, List.of(wanted), TIMEOUT)).isEmpty();
      final Map<String, String> lacking =
          Map.of("cleanup.policy", "compact,delete", "retention.ms", "86400000");
      // a topic created a moment ago may not be known to describeConfigs yet: wait for it
      await()
          .atMost(TIMEOUT)
          .ignoreException(KafkaException.class)
          .untilAsserted(
              () ->
                  assertThat(TopicSetup.configDrift(admin, List.of(wanted), TIMEOUT))
                      .as("left unchanged, reported")
                      .isEqualTo(Map.of(recommendations, lacking)));
      assertThat(TopicSetup.alterCommand("kafka:9092", recommendations, lacking))
          .isEqualTo(
              "kafka-configs.sh --bootstrap-server kafka:9092 --alter --entity-type topics"
                  + " --entity-name "
                  + recommendations
                  + " --add-config 'cleanup.policy=[compact,delete],retention.ms=86400000'");

      // what the command does; the policy given in the other order is the same setting
      final ConfigResource resource =
          new ConfigResource(ConfigResource.Type.TOPIC, recommendations);
      admin
          .incrementalAlterConfigs(
              Map.of(
                  resource,
                  List.of(
                      new AlterConfigOp(
                          new ConfigEntry("cleanup.policy", "delete,compact"),
                          AlterConfigOp.OpType.SET),
                      new AlterConfigOp(
                          new ConfigEntry("retention.ms", "86400000"), AlterConfigOp.OpType.SET))))
          .all()
          .get();
      assertThat(TopicSetup.configDrift(admin, List.of(wanted), TIMEOUT)).isEmpty();
    }
  }

  private static int partitions(final TopicDescription description) {
    return description.partitions().size();
  }
}
