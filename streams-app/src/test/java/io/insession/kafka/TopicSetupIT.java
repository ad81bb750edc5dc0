package io.insession.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.insession.config.InSessionConfig;
import io.insession.runtime.InSessionTopics;
import io.insession.runtime.RecommenderStreams;
import io.insession.scoring.SessionScorer;
import io.insession.testing.KafkaTestCluster;
import io.insession.testing.TestModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class TopicSetupIT {

  @RegisterExtension static final KafkaTestCluster KAFKA = new KafkaTestCluster();

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path stateDir;

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

  @Test
  void shouldCreateTheTrendingTopicWithTheOthersByDefault() throws Exception {
    final InSessionConfig config = InSessionConfig.of(uniqueTopics("run"));
    final List<TopicSpec> specs = InSessionTopics.specs(config);
    final String trending = config.getString(InSessionConfig.TRENDING_TOPIC);

    assertThat(TopicSetup.ensureTopics(config, specs, TIMEOUT)).contains(trending);

    try (Admin admin = Admin.create(KAFKA.adminProps())) {
      assertThat(TopicSetup.partitionCount(admin, trending, TIMEOUT)).isEqualTo(1);
      assertThat(TopicSetup.configDrift(admin, specs, TIMEOUT)).as("compacted").isEmpty();
    }
  }

  @Test
  void shouldNameAMissingTrendingTopicAndTheSettingInsteadOfStartingTheStream() throws Exception {
    // topics made by hand, as an operator would, without the trending topic
    final Map<String, String> settings = uniqueTopics("by-hand");
    settings.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    final InSessionConfig config = InSessionConfig.of(settings);
    final Topics topics = Topics.from(config);
    KAFKA.createTopics(
        topics.weblog().name(),
        topics.deadLetter().name(),
        topics.recommendations().name(),
        topics.catalog().name());

    try (SessionScorer scorer = TestModels.tinyGruScorer()) {
      assertThatThrownBy(() -> RecommenderStreams.create(config, scorer))
          .isInstanceOf(KafkaException.class)
          .hasMessageContaining("Topic " + topics.trending().name() + " does not exist")
          .hasMessageContaining("cleanup.policy=compact")
          .hasMessageContaining(InSessionConfig.TRENDING_ENABLED + "=false");

      // the setting the message names: the stream needs no trending topic then
      settings.put(InSessionConfig.TRENDING_ENABLED, "false");
      RecommenderStreams.create(InSessionConfig.of(settings), scorer).close();
    }
  }

  /** Settings with unique topic names and application id, on the test broker. */
  private static Map<String, String> uniqueTopics(final String prefix) {
    final Map<String, String> settings = new HashMap<>();
    settings.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
    settings.put(InSessionConfig.APPLICATION_ID, KAFKA.uniqueName(prefix));
    for (final String key :
        List.of(
            InSessionConfig.WEBLOG_TOPIC,
            InSessionConfig.DEAD_LETTER_TOPIC,
            InSessionConfig.RECOMMENDATIONS_TOPIC,
            InSessionConfig.DEPLOYMENTS_TOPIC,
            InSessionConfig.CATALOG_TOPIC,
            InSessionConfig.TRENDING_TOPIC,
            InSessionConfig.EXPERIMENTS_TOPIC)) {
      settings.put(key, KAFKA.uniqueName(prefix));
    }
    settings.put(InSessionConfig.TOPIC_PARTITIONS, "1");
    settings.put(InSessionConfig.TOPIC_REPLICATION_FACTOR, "1");
    return settings;
  }

  private static int partitions(final TopicDescription description) {
    return description.partitions().size();
  }
}
