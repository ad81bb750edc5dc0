package io.insession.load.cli;

import io.insession.load.http.KeepAliveHttpClient;
import io.insession.load.http.LookupLoad;
import io.insession.load.measure.CpuMeter;
import io.insession.load.replay.SessionInterleaver;
import io.insession.load.replay.SessionSource;
import io.insession.load.report.LookupReport;
import io.insession.load.report.Reports;
import io.insession.load.report.Verdict;
import io.insession.load.stack.ChildApp;
import io.insession.load.stack.EmbeddedStack;
import io.insession.load.stream.LoadPlan;
import io.insession.load.stream.SessionKeys;
import io.insession.load.stream.StreamLoad;
import io.insession.load.stream.StreamLoadRunner;
import io.insession.load.stream.StreamLoadSettings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lookup}: GET load on the lookup API. */
@Command(
    name = "lookup",
    mixinStandardHelpOptions = true,
    description = {
      "GET the latest list of random sessions from the lookup API (loopback only) at a fixed",
      "concurrency for a duration; session ids come from the recommendations topic.",
      "Example (one line, self-contained: broker, `insession run` filled with lists, then",
      "`insession lookup`):",
      "  load-tests/run lookup --embedded --concurrency 8 --duration 20"
    })
final class LookupCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(LookupCommand.class);

  /** How long a started lookup API may take to answer ready (the same bound as the first list). */
  private static final long READY_SECONDS = 300;

  @Mixin AppOptions app;

  @Option(
      names = "--base-url",
      description = "The lookup API of an app started separately (default ${DEFAULT-VALUE}).")
  URI baseUrl = URI.create("http://127.0.0.1:8080");

  @Option(
      names = "--bootstrap-servers",
      description =
          "Cluster whose recommendations topic names the sessions (default ${DEFAULT-VALUE}).")
  String bootstrapServers = "localhost:9092";

  @Option(names = "--recommendations-topic", description = "Default ${DEFAULT-VALUE}.")
  String recommendationsTopic = "recommendations";

  @Option(
      names = "--concurrency",
      description = "Connections, one request at a time each (default ${DEFAULT-VALUE}).")
  int concurrency = 8;

  @Option(names = "--duration", paramLabel = "SECONDS", description = "Default ${DEFAULT-VALUE}.")
  int durationSeconds = 20;

  @Option(names = "--max-requests", description = "Upper bound (default ${DEFAULT-VALUE}).")
  long maxRequests = 5_000_000;

  @Option(
      names = "--warmup-seconds",
      description =
          "Unmeasured GETs first, at the same concurrency (default ${DEFAULT-VALUE}; 0 skips). On 2"
              + " cores the lookup JVM's JIT was still compiling the request path (Jetty, Javalin)"
              + " 13 s after the first GET at 8 connections.")
  int warmupSeconds = 20;

  @Option(
      names = "--max-sessions",
      description = "Distinct sessions to ask for (default ${DEFAULT-VALUE}).")
  int maxSessions = 20_000;

  @Option(
      names = "--prefill-events",
      description = "--embedded: events replayed first to fill the API (default ${DEFAULT-VALUE}).")
  int prefillEvents = 10_000;

  @Option(
      names = "--prefill-rate",
      description = "--embedded: their rate (default ${DEFAULT-VALUE}).")
  double prefillRate = 1000;

  @Option(names = "--sessions", paramLabel = "FILE", description = "--embedded: sessions replayed.")
  Path sessionsFile;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON.")
  Path json;

  @Option(names = "--seed", description = "Default ${DEFAULT-VALUE}.")
  long seed = 1;

  @Override
  public Integer call() throws Exception {
    try (StopSignal stop = new StopSignal()) {
      final Path workDir = app.embedded ? app.workDirOrDefault() : null;
      final EmbeddedStack stack = app.embedded ? EmbeddedStack.startBroker(workDir) : null;
      try {
        URI base = baseUrl;
        String bootstrap = bootstrapServers;
        if (stack != null) {
          bootstrap = stack.bootstrapServers();
          final ChildApp run =
              stack.startApp(
                  app.appJarOrDefault(), app.bundleOrDefault(), app.javaOptions(), app.appSettings);
          prefill(bootstrap, stop);
          final int port = EmbeddedStack.freePort();
          final ChildApp lookup = stack.startLookup(app.appJarOrDefault(), app.javaOptions(), port);
          System.err.printf(
              Locale.ROOT, "run pid %d, lookup pid %d (port %d)%n", run.pid(), lookup.pid(), port);
          base = URI.create("http://127.0.0.1:" + port);
          awaitReady(base, lookup);
        }
        Loopback.require(base.getHost() + ":" + base.getPort(), false);
        Loopback.require(bootstrap, false);
        final List<String> ids =
            SessionKeys.read(bootstrap, recommendationsTopic, maxSessions, Duration.ofSeconds(30));
        LOG.info("{} session ids from {}", ids.size(), recommendationsTopic);
        final LookupLoad load = new LookupLoad(base, ids);
        if (warmupSeconds > 0) {
          load.run(concurrency, Duration.ofSeconds(warmupSeconds), maxRequests, seed + 1000);
        }
        final LookupReport report =
            load.run(concurrency, Duration.ofSeconds(durationSeconds), maxRequests, seed);
        System.out.print(Reports.table(report));
        if (json != null) {
          Reports.writeJson(report, json);
          System.err.println("JSON report: " + json);
        }
        return report.errors() == 0 ? 0 : 1;
      } finally {
        if (stack != null) {
          stack.close();
          StreamCommand.deleteQuietly(workDir.resolve("kafka"));
          StreamCommand.deleteQuietly(workDir.resolve("state"));
        }
      }
    }
  }

  private void prefill(final String bootstrap, final StopSignal stop) throws Exception {
    final Path sessionsPath = sessionsFile == null ? Paths.defaultSessions() : sessionsFile;
    final SessionInterleaver interleaver =
        new SessionInterleaver(SessionSource.read(sessionsPath), 2000, "lookup", seed);
    try (StreamLoad load =
        StreamLoad.connect(
            StreamLoadSettings.defaults(bootstrap), "lookup-prefill", Duration.ofSeconds(120))) {
      final double seconds = Math.max(1, prefillEvents / prefillRate);
      new StreamLoadRunner(load, Verdict.defaults(), CpuMeter.unknown())
          .run(
              interleaver,
              LoadPlan.fixed(prefillRate, Duration.ofMillis((long) (seconds * 1000))),
              prefillRate,
              Duration.ZERO,
              Duration.ofSeconds(30),
              Duration.ofSeconds(120),
              new StreamLoadRunner.Labels(
                  app.bundleOrDefault().toString(), sessionsPath.toString()),
              bootstrap,
              stop::requested);
    }
  }

  static void awaitReady(final URI base, final ChildApp lookup)
      throws IOException, InterruptedException {
    // generous: a JVM starting on a machine loaded by other work can take minutes
    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_SECONDS);
    try (KeepAliveHttpClient client = new KeepAliveHttpClient(base.getHost(), base.getPort())) {
      while (System.nanoTime() < deadline) {
        lookup.requireAlive();
        try {
          if (client.get("/ready") == 200) {
            return;
          }
        } catch (IOException e) {
          client.disconnect();
        }
        TimeUnit.MILLISECONDS.sleep(200);
      }
    }
    throw new IllegalStateException(
        "the lookup API is not ready after " + READY_SECONDS + " s; see " + lookup.log());
  }
}
