package io.insession.cli;

import io.insession.config.InSessionConfig;
import io.insession.runtime.RecommenderService;
import io.insession.runtime.ShutdownSignal;
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
        RecommenderService service =
            RecommenderService.builder(config).stream()
                .metrics()
                .deployments()
                .onFailure(signal::request)
                .start()) {
      LOG.info("Metrics, health and readiness on port {}", service.metricsPort());
      signal.await();
      return service.hasFailed() ? 1 : 0;
    }
  }
}
