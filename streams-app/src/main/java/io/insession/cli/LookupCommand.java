package io.insession.cli;

import io.insession.config.InSessionConfig;
import io.insession.kafka.TopicSetup;
import io.insession.runtime.RecommenderService;
import io.insession.runtime.ShutdownSignal;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code insession lookup}: the HTTP lookup API over the recommendations topic, until stopped. */
@Command(
    name = "lookup",
    mixinStandardHelpOptions = true,
    description = {
      "Serve the HTTP API (latest lists, push stream, event collector) until stopped.",
      "  GET /v1/sessions/{id}/recommendations, GET /v1/sessions/{id}/recommendations/stream"
          + " (Server-Sent Events),",
      "  POST /v1/events (unless insession.api.collector.enabled=false),",
      "  GET /health, GET /ready; GET /metrics on insession.api.metrics.port (8082).",
      "Credentials are required unless insession.api.auth=none: API keys"
          + " (insession.api.auth.keys.file) or JWTs (insession.api.auth.jwks.file);"
          + " docs/api-security.md."
    })
final class LookupCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(LookupCommand.class);

  @Mixin ConfigOptions options;

  @Option(
      names = {"-p", "--port"},
      paramLabel = "PORT",
      description = "HTTP port (same as -s insession.api.port=PORT; 0 = any free port).")
  Integer port;

  @Override
  public Integer call() throws Exception {
    final InSessionConfig config =
        options.load(
            port == null ? Map.of() : Map.of(InSessionConfig.API_PORT, String.valueOf(port)));
    LOG.info("Effective settings: {}", config.describe());
    // as `run` does: wrong or missing security settings fail here with a hint, instead of an API
    // that never turns ready
    TopicSetup.awaitReachable(config);
    try (ShutdownSignal signal = ShutdownSignal.install(Duration.ofSeconds(15));
        RecommenderService service = RecommenderService.builder(config).lookupApi().start()) {
      LOG.info("Lookup API ready on port {}", service.lookupApiPort());
      signal.await();
    }
    return 0;
  }
}
