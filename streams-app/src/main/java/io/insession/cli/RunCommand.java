package io.insession.cli;

import io.insession.config.InSessionConfig;
import io.insession.kafka.TopicSetup;
import io.insession.kafka.Topics;
import io.insession.runtime.InSessionTopics;
import io.insession.runtime.Scoring;
import io.insession.runtime.ShutdownSignal;
import io.insession.runtime.StreamsRunner;
import io.insession.scoring.SessionScorer;
import io.insession.topology.RecommenderTopology;
import io.insession.topology.TopologySettings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code insession run}: the recommender topology against a Kafka cluster, until stopped. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Run the recommender topology against a Kafka cluster until stopped.")
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
      try (Admin admin = Admin.create(config.clientProperties())) {
        TopicSetup.ensureTopics(admin, InSessionTopics.specs(config), Duration.ofSeconds(60));
      }
      try (StreamsRunner runner =
          new StreamsRunner(
              RecommenderTopology.build(
                  TopologySettings.from(config), scorer, Topics.from(config), Clock.systemUTC()),
              config.streamsProperties())) {
        runner.onFailure(signal::request);
        runner.start();
        signal.await();
        return runner.hasFailed() ? 1 : 0;
      }
    }
  }
}
