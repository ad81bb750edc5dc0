package io.insession.cli;

import io.insession.config.InSessionConfig;
import io.insession.kafka.TopicSetup;
import io.insession.metrics.PrometheusMetrics;
import io.insession.runtime.InSessionTopics;
import io.insession.runtime.RecommenderStreams;
import io.insession.runtime.Scoring;
import io.insession.runtime.ShutdownSignal;
import io.insession.runtime.StreamsOperations;
import io.insession.runtime.StreamsRunner;
import io.insession.scoring.SessionScorer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code insession run}: the recommender topology against a Kafka cluster, until stopped, with
 * {@code GET /metrics}, {@code /health} and {@code /ready} on {@code insession.metrics.port}.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run the recommender topology against a Kafka cluster until stopped.",
      "Serves GET /metrics (Prometheus), /health and /ready on insession.metrics.port (8081)."
    })
final class RunCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  @Mixin ConfigOptions options;

  @Option(
      names = "--bundle",
      paramLabel = "DIR",
      description = "Model bundle to serve (same as -s insession.model.bundle=DIR).")
  Path bundle;

  @Override
  public Integer call() throws Exception {
    final InSessionConfig config =
        options.load(
            bundle == null ? Map.of() : Map.of(InSessionConfig.MODEL_BUNDLE, bundle.toString()));
    LOG.info("Effective settings: {}", config.describe());
    try (ShutdownSignal signal = ShutdownSignal.install(Duration.ofSeconds(40));
        SessionScorer scorer = Scoring.open(config, Scoring.runtime(config))) {
      TopicSetup.ensureTopics(config, InSessionTopics.specs(config), Duration.ofSeconds(60));
      final PrometheusMeterRegistry registry = PrometheusMetrics.newRegistry();
      try (StreamsRunner runner =
              RecommenderStreams.create(
                  config, scorer, StreamsOperations.topologyMetrics(registry));
          StreamsOperations operations =
              StreamsOperations.start(config, registry, runner, scorer.model())) {
        LOG.info("Metrics, health and readiness on port {}", operations.port());
        runner.onFailure(signal::request);
        runner.start();
        signal.await();
        return runner.hasFailed() ? 1 : 0;
      }
    }
  }
}
