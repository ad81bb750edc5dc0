package io.insession.runtime;

import io.insession.config.InSessionConfig;
import io.insession.kafka.TopicSetup;
import io.insession.kafka.Topics;
import io.insession.metrics.TopologyMetrics;
import io.insession.scoring.SessionScorer;
import io.insession.topology.RecommenderTopology;
import io.insession.topology.TopologySettings;
import java.time.Clock;
import java.time.Duration;
import org.apache.kafka.clients.admin.Admin;

/** The recommender topology as the settings describe it, ready to start in a runner. */
public final class RecommenderStreams {

  private static final Duration DESCRIBE_TIMEOUT = Duration.ofSeconds(30);

  private RecommenderStreams() {}

  /**
   * A runner (not started) of the topology over {@code scorer}, recording into {@code metrics}. The
   * weblog topic must exist: its partition count decides which records sit on another partition
   * than their key's murmur2 one (see {@link RecommenderTopology}).
   */
  public static StreamsRunner create(
      final InSessionConfig config, final SessionScorer scorer, final TopologyMetrics metrics) {
    final Topics topics = Topics.from(config);
    final int weblogPartitions;
    try (Admin admin = Admin.create(config.clientProperties())) {
      weblogPartitions = TopicSetup.partitionCount(admin, topics.weblog().name(), DESCRIBE_TIMEOUT);
    }
    return new StreamsRunner(
        RecommenderTopology.build(
            TopologySettings.from(config),
            scorer,
            topics,
            Clock.systemUTC(),
            metrics,
            weblogPartitions),
        config.streamsProperties());
  }

  /** The same without metrics. */
  public static StreamsRunner create(final InSessionConfig config, final SessionScorer scorer) {
    return create(config, scorer, TopologyMetrics.NONE);
  }
}
