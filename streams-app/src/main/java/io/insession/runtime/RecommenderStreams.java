package io.insession.runtime;

import io.insession.config.InSessionConfig;
import io.insession.kafka.Topics;
import io.insession.metrics.TopologyMetrics;
import io.insession.scoring.SessionScorer;
import io.insession.topology.RecommenderTopology;
import io.insession.topology.TopologySettings;
import java.time.Clock;

/** The recommender topology as the settings describe it, ready to start in a runner. */
public final class RecommenderStreams {

  private RecommenderStreams() {}

  /** A runner (not started) of the topology over {@code scorer}, recording into {@code metrics}. */
  public static StreamsRunner create(
      final InSessionConfig config, final SessionScorer scorer, final TopologyMetrics metrics) {
    return new StreamsRunner(
        RecommenderTopology.build(
            TopologySettings.from(config), scorer, Topics.from(config), Clock.systemUTC(), metrics),
        config.streamsProperties());
  }

  /** The same without metrics. */
  public static StreamsRunner create(final InSessionConfig config, final SessionScorer scorer) {
    return create(config, scorer, TopologyMetrics.NONE);
  }
}
