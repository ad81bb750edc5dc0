package io.insession.runtime;

import io.insession.config.InSessionConfig;
import io.insession.kafka.TopicSpec;
import io.insession.kafka.Topics;
import java.util.List;

/**
 * The topics InSession creates when they are missing, sized by the settings; the deployments topic
 * is compacted and has one partition, the catalogue topic is compacted.
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
        TopicSpec.of(topics.recommendations().name(), partitions)
            .withReplicationFactor(replication),
        deployments(config),
        catalog(config));
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
