package io.insession.runtime;

import io.insession.config.InSessionConfig;
import io.insession.kafka.TopicSpec;
import io.insession.kafka.Topics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The topics InSession creates when they are missing, sized by the settings; the recommendations
 * topic is compacted with a retention, the deployments topic is compacted and has one partition,
 * the catalogue and experiment KPIs topics are compacted, the trending topic (with live trending
 * on, the default) is compacted and has one partition.
 */
public final class InSessionTopics {

  private InSessionTopics() {}

  /**
   * Every topic {@code insession run} creates when it is missing: the trending topic only with
   * {@value InSessionConfig#TRENDING_ENABLED} (the default), since nothing else needs it.
   */
  public static List<TopicSpec> specs(final InSessionConfig config) {
    final Topics topics = Topics.from(config);
    final int partitions = config.getInt(InSessionConfig.TOPIC_PARTITIONS);
    final short replication = config.getShort(InSessionConfig.TOPIC_REPLICATION_FACTOR);
    final List<TopicSpec> specs = new ArrayList<>();
    specs.add(TopicSpec.of(topics.weblog().name(), partitions).withReplicationFactor(replication));
    specs.add(
        TopicSpec.of(topics.deadLetter().name(), partitions).withReplicationFactor(replication));
    specs.add(recommendations(config));
    specs.add(deployments(config));
    specs.add(catalog(config));
    if (config.getBoolean(InSessionConfig.TRENDING_ENABLED)) {
      specs.add(trending(config));
    }
    specs.add(experiments(config));
    return List.copyOf(specs);
  }

  /**
   * The topics of the topology's global stores, which Kafka Streams reads but never creates: the
   * catalogue when a rule chain reads it or live trending counts per category, and the trending
   * topic with live trending on. {@code RecommenderStreams} checks they exist before it starts.
   *
   * @param catalogRules whether a rule chain of the topology reads the catalogue
   */
  public static List<TopicSpec> globalStores(
      final InSessionConfig config, final boolean catalogRules) {
    final boolean trending = config.getBoolean(InSessionConfig.TRENDING_ENABLED);
    final List<TopicSpec> specs = new ArrayList<>();
    if (catalogRules || trending) {
      specs.add(catalog(config));
    }
    if (trending) {
      specs.add(trending(config));
    }
    return List.copyOf(specs);
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
            config.getShort(InSessionConfig.TOPIC_REPLICATION_FACTOR))
        .withIfMissing(
            "The catalogue's global store reads it when a rule chain uses a catalogue rule or"
                + " live trending is on ("
                + InSessionConfig.TRENDING_ENABLED
                + "=false turns live trending off; docs/catalog.md)");
  }

  /**
   * The trending topic: compacted (the latest share of each scope and counting task is the list),
   * one partition (a few records per scope, read whole by every instance).
   */
  public static TopicSpec trending(final InSessionConfig config) {
    return TopicSpec.compacted(
            Topics.from(config).trending().name(),
            1,
            config.getShort(InSessionConfig.TOPIC_REPLICATION_FACTOR))
        .withIfMissing(
            "Live trending (docs/trending.md) needs it; to run without live trending set "
                + InSessionConfig.TRENDING_ENABLED
                + "=false");
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
