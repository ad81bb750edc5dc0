package io.insession.runtime;

import io.insession.config.InSessionConfig;
import io.insession.kafka.TopicSpec;
import io.insession.kafka.Topics;
import java.util.List;

/** The topics InSession creates when they are missing, sized by the settings. */
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
            .withReplicationFactor(replication));
  }
}
