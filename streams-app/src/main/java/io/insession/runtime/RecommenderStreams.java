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

  /**
   * A runner (not started) of the topology over {@code scorer}, recording into {@code metrics}. The
   * scorer's warm-up starts now, in the background ({@link ScorerWarmup}); the runner's readiness
   * waits for it.
   */
  public static StreamsRunner create(
      final InSessionConfig config, final SessionScorer scorer, final TopologyMetrics metrics) {
    return create(
        config,
        scorer,
        metrics,
        ScorerWarmup.start(scorer, config.getInt(InSessionConfig.SCORING_BATCH_MAX_SIZE)));
  }

  /** The same with a given warm-up ({@link ScorerWarmup#none()}: none, e.g. in tests). */
  public static StreamsRunner create(
      final InSessionConfig config,
      final SessionScorer scorer,
      final TopologyMetrics metrics,
      final ScorerWarmup warmup) {
    try {
      return new StreamsRunner(
          RecommenderTopology.build(
              TopologySettings.from(config),
              scorer,
              Topics.from(config),
              Clock.systemUTC(),
              metrics),
          config.streamsProperties(),
          warmup);
    } catch (RuntimeException e) {
      warmup.close();
      throw e;
    }
  }

  /** The same without metrics. */
  public static StreamsRunner create(final InSessionConfig config, final SessionScorer scorer) {
    return create(config, scorer, TopologyMetrics.NONE);
  }
}
