package io.insession.load.cli;

import io.insession.config.InSessionConfig;
import io.insession.kafka.EmbeddedKafkaBroker;
import io.insession.kafka.TopicSpec;
import io.insession.load.history.HistoryBenchmark;
import io.insession.runtime.InSessionTopics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.TopicConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code history}: the lookup API's start-up time as the recommendations topic's history grows. */
@Command(
    name = "history",
    mixinStandardHelpOptions = true,
    description = {
      "Lookup API start-up time (from start to caught up, what GET /ready waits for) as the",
      "recommendations topic's history grows: writes lists for a fixed set of sessions in",
      "steps, lets the log cleaner run, and times the start-up at each step; once on a topic",
      "without cleanup settings (as InSession created it before) and once on one as it creates",
      "it now (compact,delete with its retention), with 1 MiB segments, segment.ms 2 s and a",
      "dirty ratio of 0.01 so that the cleaner runs within the benchmark. Each step ends with",
      "one list per session in a new segment (the active segment is never cleaned). A Kafka",
      "broker runs in this JVM unless --bootstrap-servers names one. Example:",
      "  load-tests/run history --steps 20000,80000,320000 --sessions 2000"
    })
final class HistoryCommand implements Callable<Integer> {

  @Option(
      names = "--steps",
      split = ",",
      description = "Lists on the topic at each step, cumulative (default ${DEFAULT-VALUE}).")
  long[] steps = {20_000, 80_000, 320_000};

  @Option(names = "--sessions", description = "Distinct sessions (default ${DEFAULT-VALUE}).")
  int sessions = 2_000;

  @Option(names = "--runs", description = "Start-ups per step; median (default ${DEFAULT-VALUE}).")
  int runs = 3;

  @Option(names = "--partitions", description = "Default ${DEFAULT-VALUE}.")
  int partitions = 4;

  @Option(
      names = "--compaction-timeout",
      paramLabel = "SECONDS",
      description = "Longest wait for the cleaner per step (default ${DEFAULT-VALUE}).")
  int compactionTimeoutSeconds = 120;

  @Option(
      names = "--bootstrap-servers",
      description = "An existing cluster (default: a broker in this JVM).")
  String bootstrapServers;

  @Option(
      names = "--work-dir",
      paramLabel = "DIR",
      description = "The embedded broker's data (default: load-tests/target/history; deleted).")
  Path workDir;

  @Override
  public Integer call() throws Exception {
    for (int i = 1; i < steps.length; i++) {
      if (steps[i] <= steps[i - 1]) {
        throw new IllegalArgumentException("--steps must grow: " + steps[i - 1] + ", " + steps[i]);
      }
    }
    final Path dir = workDir != null ? workDir : Path.of("load-tests", "target", "history");
    EmbeddedKafkaBroker broker = null;
    String bootstrap = bootstrapServers;
    if (bootstrap == null) {
      StreamCommand.deleteQuietly(dir);
      Files.createDirectories(dir);
      broker =
          EmbeddedKafkaBroker.builder()
              .ports(EmbeddedKafkaBroker.findFreePorts())
              .logDir(dir.resolve("kafka"))
              // the cleaner looks for work every second, not every 15 s
              .property("log.cleaner.backoff.ms", "1000")
              .start();
      bootstrap = broker.bootstrapServers();
    }
    try {
      final HistoryBenchmark benchmark =
          new HistoryBenchmark(
              bootstrap,
              sessions,
              runs,
              Duration.ofSeconds(compactionTimeoutSeconds),
              line -> System.err.println("history: " + line));
      final String suffix = "-" + System.currentTimeMillis();
      final List<HistoryBenchmark.Point> points = new ArrayList<>();
      points.addAll(
          benchmark.run("before", TopicSpec.of("history-before" + suffix, partitions), steps));
      points.addAll(benchmark.run("after", after("history-after" + suffix), steps));
      System.out.print(table(points));
      return 0;
    } finally {
      if (broker != null) {
        broker.close();
        StreamCommand.deleteQuietly(dir);
      }
    }
  }

  /** The topic as InSession creates it now, with segments small enough for a benchmark. */
  private TopicSpec after(final String name) {
    final InSessionConfig config =
        InSessionConfig.of(
            Map.of(
                InSessionConfig.RECOMMENDATIONS_TOPIC,
                name,
                InSessionConfig.TOPIC_PARTITIONS,
                String.valueOf(partitions)));
    return InSessionTopics.recommendations(config)
        .withConfig(TopicConfig.SEGMENT_BYTES_CONFIG, String.valueOf(1024 * 1024))
        .withConfig(TopicConfig.SEGMENT_MS_CONFIG, "2000")
        .withConfig(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.01");
  }

  private String table(final List<HistoryBenchmark.Point> points) {
    final StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "Lookup API start-up vs history: %d sessions, %d partitions, %d items a list, median"
                + " of %d start-ups; 'after' with segment.bytes=1 MiB, segment.ms=2 s,"
                + " min.cleanable.dirty.ratio=0.01%nCPU: %s%n",
            sessions,
            partitions,
            20,
            runs,
            cpu()));
    out.append(
        String.format(
            Locale.ROOT,
            "%-7s %14s %16s %14s %16s %12s %12s%n",
            "topic",
            "lists written",
            "records on topic",
            "records read",
            "sessions cached",
            "start-up ms",
            "max ms"));
    for (final HistoryBenchmark.Point p : points) {
      out.append(
          String.format(
              Locale.ROOT,
              "%-7s %14d %16d %14d %16d %12d %12d%n",
              p.mode(),
              p.listsWritten(),
              p.recordsOnTopic(),
              p.recordsRead(),
              p.sessionsCached(),
              p.startupMillisMedian(),
              p.startupMillisMax()));
    }
    return out.toString();
  }

  /** The CPU's model name and AVX flags, from /proc/cpuinfo where there is one. */
  private static String cpu() {
    try {
      final List<String> lines =
          Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8);
      String model = "unknown";
      final TreeSet<String> avx = new TreeSet<>();
      for (final String line : lines) {
        if (line.startsWith("model name") && "unknown".equals(model)) {
          model = line.substring(line.indexOf(':') + 1).trim();
        }
        if (line.startsWith("flags")) {
          for (final String flag : line.substring(line.indexOf(':') + 1).trim().split(" ")) {
            if (flag.startsWith("avx")) {
              avx.add(flag);
            }
          }
        }
      }
      return model + ", " + Runtime.getRuntime().availableProcessors() + " CPUs, " + avx;
    } catch (IOException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }
}
