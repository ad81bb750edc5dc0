package io.insession.runtime;

import io.insession.config.InSessionConfig;
import io.insession.kafka.TopicSpec;
import io.insession.kafka.Topics;
import java.util.List;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The topics InSession creates when they are missing, sized by the settings; the recommendations
 * topic is compacted with a retention, the deployments topic is compacted and has one partition,
 * the catalogue and experiment KPIs topics are compacted, the trending topic is compacted and has
 * one partition.
 */
public final class InSessionTopics {

  private InSessionTopics() {}

  public static List<TopicSpec> specs(final InSessionConfig config) {
    final Topics topics = Topics.from(config);
    final int partitions = config.getInt(InSessionConfig.TOPIC_PARTITIONS);
    final short replication = config.getShort(InSessionConfig.TOPIC_REPLICATION_FACTOR);
    return List.of(
        TopicSpec.of(topics.weblog().name(), partitions).withReplicationFactor(replication),
        TopicSpec.of(topics.deadLetter().name(), partitions).withReplicationFactor(replication),
        recommendations(config),
        deployments(config),
        catalog(config),
        trending(config),
        experiments(config));
  }

  /**
   * The experiment KPIs topic: compacted by {@code <experiment>/<window>}, so it holds the latest
   * figures of each experiment and window (docs/experiments.md).
   */
  public static TopicSpec experiments(final InSessionConfig config) {
    return TopicSpec.compacted(
        Topics.from(config).experiments().name(),
        config.getInt(InSessionConfig.TOPIC_PARTITIONS),
        config.getShort(InSessionConfig.TOPIC_REPLICATION_FACTOR));
  }

  /**
   * The catalogue topic: compacted (the latest record of each item is the catalogue; a tombstone
   * deletes an item), with the configured partition count (every instance reads all of them).
   */
  public static TopicSpec catalog(final InSessionConfig config) {
    return TopicSpec.compacted(
        Topics.from(config).catalog().name(),
        config.getInt(InSessionConfig.TOPIC_PARTITIONS),
        config.getShort(InSessionConfig.TOPIC_REPLICATION_FACTOR));
  }

  /**
   * The trending topic: compacted (the latest share of each scope and counting task is the list),
   * one partition (a few records per scope, read whole by every instance).
   */
  public static TopicSpec trending(final InSessionConfig config) {
    return TopicSpec.compacted(
        Topics.from(config).trending().name(),
        1,
        config.getShort(InSessionConfig.TOPIC_REPLICATION_FACTOR));
  }

  /**
   * The recommendations topic: compacted by session id, so it holds one latest list per session
   * however long it runs, and with a retention, so sessions that ended long ago leave it too
   * ({@code cleanup.policy=compact,delete}). The lookup API reads it whole at start-up, which
   * therefore takes a time bounded by the sessions of the retention, not by the history. A
   * forgotten session leaves a tombstone here, removed by compaction after Kafka's {@code
   * delete.retention.ms}.
   */
  public static TopicSpec recommendations(final InSessionConfig config) {
    return TopicSpec.of(
            Topics.from(config).recommendations().name(),
            config.getInt(InSessionConfig.TOPIC_PARTITIONS))
        .withReplicationFactor(config.getShort(InSessionConfig.TOPIC_REPLICATION_FACTOR))
        .withConfig(TopicConfig.CLEANUP_POLICY_CONFIG, "compact,delete")
        .withConfig(
            TopicConfig.RETENTION_MS_CONFIG,
            String.valueOf(config.getLong(InSessionConfig.RECOMMENDATIONS_RETENTION_MS)))
        .withConfig(
            TopicConfig.SEGMENT_MS_CONFIG,
            String.valueOf(config.getLong(InSessionConfig.RECOMMENDATIONS_SEGMENT_MS)));
  }

  /**
   * The deployments topic: compacted, and one partition (deployments are few, and one partition
   * keeps them in order).
   */
  public static TopicSpec deployments(final InSessionConfig config) {
    return TopicSpec.compacted(
        Topics.from(config).deployments().name(),
        1,
        config.getShort(InSessionConfig.TOPIC_REPLICATION_FACTOR));
  }
}
