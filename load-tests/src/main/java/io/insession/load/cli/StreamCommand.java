package io.insession.load.cli;

import io.insession.load.measure.CpuMeter;
import io.insession.load.replay.SessionInterleaver;
import io.insession.load.replay.SessionSource;
import io.insession.load.report.LoadReport;
import io.insession.load.report.Reports;
import io.insession.load.report.Verdict;
import io.insession.load.stack.ChildApp;
import io.insession.load.stack.EmbeddedStack;
import io.insession.load.stream.LoadPlan;
import io.insession.load.stream.StreamLoad;
import io.insession.load.stream.StreamLoadRunner;
import io.insession.load.stream.StreamLoadSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code stream}: end-to-end load at a fixed rate, or a ramp to the highest sustainable rate. */
@Command(
    name = "stream",
    mixinStandardHelpOptions = true,
    description = {
      "Replay recorded sessions into the weblog topic and measure event -> list latency.",
      "Fixed rate: --rate R --duration S. Ramp: --ramp (--ramp-start/--ramp-step/--ramp-max).",
      "Example (one line, self-contained):",
      "  load-tests/run stream --embedded --rate 1000 --duration 30 --json out.json"
    })
final class StreamCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(StreamCommand.class);

  @Spec CommandSpec spec;

  @Mixin AppOptions app;

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT",
      description = "Cluster of an app started separately (default ${DEFAULT-VALUE}).")
  String bootstrapServers = "localhost:9092";

  @Option(
      names = "--sessions",
      paramLabel = "FILE",
      description =
          "Recorded sessions (any format io.insession.data.SessionFiles reads; default: the"
              + " yoochoose 100k test file, the data of the tiny bundle).")
  Path sessionsFile;

  @Option(
      names = "--concurrency",
      description = "Sessions open at once (default ${DEFAULT-VALUE}).")
  int concurrency = 2000;

  @Option(names = "--rate", description = "Events/s of a fixed run (default ${DEFAULT-VALUE}).")
  double rate = 1000;

  @Option(
      names = "--duration",
      paramLabel = "SECONDS",
      description = "Length of a fixed run (default ${DEFAULT-VALUE}).")
  int durationSeconds = 30;

  @Option(names = "--ramp", description = "Ramp up until the rate is no longer sustained.")
  boolean ramp;

  @Option(names = "--ramp-start", description = "First ramp rate (default ${DEFAULT-VALUE}).")
  double rampStart = 500;

  @Option(names = "--ramp-step", description = "Ramp increment (default ${DEFAULT-VALUE}).")
  double rampStep = 500;

  @Option(names = "--ramp-max", description = "Last ramp rate (default ${DEFAULT-VALUE}).")
  double rampMax = 20_000;

  @Option(
      names = "--step-seconds",
      description = "Length of a ramp step (default ${DEFAULT-VALUE}).")
  int stepSeconds = 10;

  @Option(
      names = "--max-pending-seconds",
      description =
          "A phase is sustained only if at its end at most this many seconds of events wait for"
              + " their list (default ${DEFAULT-VALUE}).")
  double maxPendingSeconds = 1.0;

  @Option(
      names = "--warmup-seconds",
      description =
          "Unmeasured load before the first phase (default ${DEFAULT-VALUE}; 0 skips). At 1,000"
              + " events/s on 2 cores the first 20-40 s are dominated by JIT compilation in both"
              + " JVMs (app and generator): a 20 s run measured p50 457 ms after a 10 s warm-up at"
              + " 300/s, 89 ms after 30 s at 1,000/s.")
  int warmupSeconds = 30;

  @Option(
      names = "--warmup-rate",
      description =
          "Warm-up events/s (default: the rate of the first phase, --rate or --ramp-start, so the"
              + " JIT compiles what that rate runs).")
  Double warmupRate;

  @Option(
      names = "--app-pid",
      paramLabel = "PID",
      description =
          "Process id of an app started separately on this machine, for its CPU per phase"
              + " (app-cpu, app-us/ev). --embedded measures its child app without it.")
  Long appPid;

  @Option(
      names = "--drain-seconds",
      description = "Wait for outstanding lists at the end (default ${DEFAULT-VALUE}).")
  int drainSeconds = 15;

  @Option(
      names = "--ready-timeout",
      paramLabel = "SECONDS",
      description = "Wait for the app's first list (default ${DEFAULT-VALUE}).")
  int readyTimeoutSeconds = 120;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON.")
  Path json;

  @Option(names = "--seed", description = "Seed of the interleaving (default ${DEFAULT-VALUE}).")
  long seed = 1;

  @Option(names = "--linger-ms", description = "Generator producer linger.ms (default 0).")
  int lingerMs;

  @Option(names = "--weblog-topic", description = "Default ${DEFAULT-VALUE}.")
  String weblogTopic = "weblog-events";

  @Option(names = "--recommendations-topic", description = "Default ${DEFAULT-VALUE}.")
  String recommendationsTopic = "recommendations";

  @Option(
      names = "--dead-letter-topic",
      description = "The app's dead-letter topic (default ${DEFAULT-VALUE}).")
  String deadLetterTopic = "weblog-events-dlq";

  @Option(
      names = "--bad-record-every",
      paramLabel = "N",
      description =
          "Mix in one bad record after every N events (0: none, the default), the kinds of"
              + " docs/bad-input.md in turn (not Avro, truncated Avro, a view without item, an"
              + " event time 2 h ahead, a negative price, another session's key); their dead"
              + " letters are read back and counted: events in = lists + dead letters.")
  int badRecordEvery;

  @Option(
      names = "--application-id",
      description = "The app's application id, for its consumer lag (default ${DEFAULT-VALUE}).")
  String applicationId = "insession";

  @Option(
      names = "--allow-non-loopback",
      description = "Allow a non-loopback cluster (e.g. kafka:9092 inside docker compose).")
  boolean allowNonLoopback;

  @Override
  public Integer call() throws Exception {
    CpuMeter appCpu = separateAppCpu();
    final Path sessionsPath = sessionsFile == null ? Paths.defaultSessions() : sessionsFile;
    final Map<String, List<String>> sessions = SessionSource.read(sessionsPath);
    LOG.info(
        "{} sessions, {} events from {}",
        sessions.size(),
        SessionSource.events(sessions),
        sessionsPath);
    final String runTag = "load" + Long.toString(System.currentTimeMillis(), 36);
    final LoadPlan plan =
        ramp
            ? LoadPlan.ramp(rampStart, rampStep, rampMax, Duration.ofSeconds(stepSeconds))
            : LoadPlan.fixed(rate, Duration.ofSeconds(durationSeconds));
    try (StopSignal stop = new StopSignal()) {
      final Path workDir = app.embedded ? app.workDirOrDefault() : null;
      final EmbeddedStack stack = app.embedded ? EmbeddedStack.startBroker(workDir) : null;
      try {
        final String bootstrap;
        if (stack != null) {
          final ChildApp child =
              stack.startApp(
                  app.appJarOrDefault(), app.bundleOrDefault(), app.javaOptions(), app.appSettings);
          System.err.printf(Locale.ROOT, "app pid %d, log %s%n", child.pid(), child.log());
          bootstrap = stack.bootstrapServers();
          appCpu = CpuMeter.of(child.handle());
        } else {
          bootstrap = bootstrapServers;
        }
        Loopback.require(bootstrap, allowNonLoopback);
        final SessionInterleaver interleaver =
            new SessionInterleaver(sessions, concurrency, runTag, seed);
        final StreamLoadSettings settings =
            new StreamLoadSettings(
                bootstrap,
                weblogTopic,
                recommendationsTopic,
                applicationId,
                lingerMs,
                app.valueSerdes(),
                deadLetterTopic,
                badRecordEvery);
        final LoadReport report;
        try (StreamLoad load =
            StreamLoad.connect(settings, runTag, Duration.ofSeconds(readyTimeoutSeconds))) {
          report =
              new StreamLoadRunner(
                      load,
                      new Verdict(0.95, maxPendingSeconds, Verdict.defaults().minSendShare()),
                      appCpu)
                  .run(
                      interleaver,
                      plan,
                      warmupRate == null ? plan.firstRate() : warmupRate,
                      Duration.ofSeconds(warmupSeconds),
                      Duration.ofSeconds(drainSeconds),
                      Duration.ofSeconds(readyTimeoutSeconds),
                      new StreamLoadRunner.Labels(
                          app.embedded || app.bundle != null
                              ? app.bundleOrDefault().toString()
                              : "unknown (app started separately; pass --bundle to label)",
                          sessionsPath.toString()),
                      bootstrap,
                      stop::requested);
        }
        System.out.print(Reports.table(report));
        if (json != null) {
          Reports.writeJson(report, json);
          System.err.println("JSON report: " + json);
        }
        return 0;
      } finally {
        if (stack != null) {
          stack.close();
          deleteQuietly(workDir.resolve("kafka"));
          deleteQuietly(workDir.resolve("state"));
        }
      }
    }
  }

  /** The meter of {@code --app-pid}, checked: the process must exist and tell its CPU time. */
  private CpuMeter separateAppCpu() {
    if (appPid == null) {
      return CpuMeter.unknown();
    }
    if (app.embedded) {
      throw new ParameterException(
          spec.commandLine(), "--app-pid is for an app started separately, not with --embedded");
    }
    final CpuMeter meter = CpuMeter.ofPid(appPid);
    if (meter.totalCpu().isEmpty()) {
      throw new ParameterException(
          spec.commandLine(),
          "--app-pid " + appPid + ": no such process, or its CPU time cannot be read");
    }
    return meter;
  }

  static void deleteQuietly(final Path dir) {
    try {
      Utils.delete(dir.toFile());
    } catch (IOException e) {
      LOG.warn("Cannot delete {}: {}", dir, e.toString());
    }
  }
}
