package io.insession.load.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.insession.config.InSessionConfig;
import io.insession.kafka.EmbeddedKafkaBroker;
import io.insession.kafka.TopicSetup;
import io.insession.kafka.Topics;
import io.insession.kafka.ValueSerdes;
import io.insession.load.measure.CpuMeter;
import io.insession.load.measure.CpuUse;
import io.insession.load.replay.SessionInterleaver;
import io.insession.load.report.LoadReport;
import io.insession.load.report.Reports;
import io.insession.load.report.Verdict;
import io.insession.metrics.TopologyMetrics;
import io.insession.runtime.InSessionTopics;
import io.insession.runtime.RecommenderStreams;
import io.insession.runtime.Scoring;
import io.insession.runtime.StreamsRunner;
import io.insession.scoring.SessionScorer;
import io.insession.topology.RecommenderTopology;
import io.insession.topology.TopologySettings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generator against a real broker and the real topology (tiny bundle), in this JVM: a few
 * seconds at a low rate, every event gets its list.
 */
class StreamLoadIT {

  private static final Path TINY = Path.of("../streams-app/src/test/resources/bundles/tiny");

  @TempDir static Path state;
  private static EmbeddedKafkaBroker broker;
  private static SessionScorer scorer;
  private static StreamsRunner app;
  private static InSessionConfig config;

  @BeforeAll
  static void startAppOnABroker() throws Exception {
    broker = EmbeddedKafkaBroker.builder().ports(EmbeddedKafkaBroker.findFreePorts()).start();
    config =
        InSessionConfig.of(
            Map.of(
                "bootstrap.servers",
                broker.bootstrapServers(),
                "state.dir",
                state.toString(),
                InSessionConfig.APPLICATION_ID,
                "load-it",
                InSessionConfig.TOPIC_PARTITIONS,
                "2",
                InSessionConfig.MODEL_BUNDLE,
                TINY.toAbsolutePath().toString()));
    try (Admin admin = Admin.create(config.clientProperties())) {
      TopicSetup.ensureTopics(admin, InSessionTopics.specs(config), Duration.ofSeconds(30));
    }
    scorer = Scoring.open(config, Scoring.runtime(config));
    app =
        new StreamsRunner(
            RecommenderTopology.build(
                TopologySettings.from(config),
                scorer,
                Topics.from(config),
                Clock.systemUTC(),
                TopologyMetrics.NONE,
                config.getInt(InSessionConfig.TOPIC_PARTITIONS)),
            RecommenderStreams.streamsProperties(config));
    app.start();
    assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
    if (scorer != null) {
      scorer.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void shouldMeasureEveryEventsListAtALowFixedRate() throws Exception {
    final Map<String, List<String>> sessions = new LinkedHashMap<>();
    // item ids of the tiny bundle's vocabulary (yoochoose)
    sessions.put("1", List.of("214839313", "214717003", "214826705"));
    sessions.put("2", List.of("214826955", "214821277"));
    sessions.put("3", List.of("214717003", "214826955", "214536502", "214839313"));
    final SessionInterleaver interleaver = new SessionInterleaver(sessions, 3, "it", 1);
    final StreamLoadSettings settings =
        new StreamLoadSettings(
            broker.bootstrapServers(),
            "weblog-events",
            "recommendations",
            "load-it",
            0,
            ValueSerdes.from(config),
            "weblog-events-dlq",
            0);
    final LoadReport report;
    try (StreamLoad load = StreamLoad.connect(settings, "it", Duration.ofSeconds(30))) {
      report =
          // the app runs in this JVM here, so its CPU is this process's
          new StreamLoadRunner(load, Verdict.defaults(), CpuMeter.currentProcess())
              .run(
                  interleaver,
                  LoadPlan.fixed(50, Duration.ofSeconds(3)),
                  50,
                  Duration.ofSeconds(1),
                  Duration.ofSeconds(20),
                  Duration.ofSeconds(60),
                  new StreamLoadRunner.Labels("tiny", "inline"),
                  broker.bootstrapServers(),
                  () -> false);
    }
    assertThat(report.sent()).isBetween(140L, 151L);
    assertThat(report.lists()).isEqualTo(report.sent());
    assertThat(report.pendingAtEnd()).isZero();
    assertThat(report.latency().count()).isEqualTo(report.sent());
    assertThat(report.latency().p50Ms()).isPositive();
    assertThat(report.fallbackLists()).isZero();
    assertThat(report.phases()).hasSize(1);
    assertThat(report.groupLagAtEnd()).isBetween(0L, 5L);
    assertThat(report.availableProcessors()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(report.appPid()).isEqualTo(ProcessHandle.current().pid());
    final CpuUse app = report.phases().get(0).appCpu();
    assertThat(app).isNotNull();
    assertThat(app.cores()).isPositive();
    assertThat(app.microsPerEvent()).isPositive();
    // the generator is this process too: measured, and over the same phase (no bound on how
    // close the two readings are, which would depend on how busy the machine is)
    final CpuUse generator = report.phases().get(0).generatorCpu();
    assertThat(generator).isNotNull();
    assertThat(generator.cpuSeconds()).isPositive();
    assertThat(Reports.table(report)).contains("sustained");
  }

  @Test
  void shouldCountADeadLetterForEveryBadRecordAndAListForEveryEvent() throws Exception {
    final Map<String, List<String>> sessions = new LinkedHashMap<>();
    sessions.put("7", List.of("214839313", "214717003", "214826705", "214826955"));
    sessions.put("8", List.of("214826955", "214821277", "214536502"));
    final SessionInterleaver interleaver = new SessionInterleaver(sessions, 2, "bad", 1);
    final StreamLoadSettings settings =
        new StreamLoadSettings(
            broker.bootstrapServers(),
            "weblog-events",
            "recommendations",
            "load-it",
            0,
            ValueSerdes.from(config),
            config.getString(InSessionConfig.DEAD_LETTER_TOPIC),
            4);
    final LoadReport report;
    try (StreamLoad load = StreamLoad.connect(settings, "bad", Duration.ofSeconds(30))) {
      report =
          new StreamLoadRunner(load, Verdict.defaults(), CpuMeter.unknown())
              .run(
                  interleaver,
                  LoadPlan.fixed(40, Duration.ofSeconds(2)),
                  40,
                  Duration.ZERO,
                  Duration.ofSeconds(30),
                  Duration.ofSeconds(60),
                  new StreamLoadRunner.Labels("tiny", "inline"),
                  broker.bootstrapServers(),
                  () -> false);
    }
    // one bad record after every 4th event (probe events before the phase included), the kinds in
    // turn: each becomes exactly one dead letter with its reason, and no good event loses its list
    assertThat(report.badRecordsSent()).isGreaterThanOrEqualTo(report.sent() / 4);
    final Map<String, Long> expected = new TreeMap<>();
    for (long i = 0; i < report.badRecordsSent(); i++) {
      final BadRecords.Kind kind =
          BadRecords.Kind.values()[(int) (i % BadRecords.Kind.values().length)];
      expected.merge(kind.reason().name(), 1L, Long::sum);
    }
    assertThat(report.deadLetters()).isEqualTo(expected);
    assertThat(report.lists()).isEqualTo(report.sent());
    assertThat(report.pendingAtEnd()).isZero();
    assertThat(app.awaitRunning(Duration.ofSeconds(1))).isTrue();
    assertThat(Reports.table(report))
        .contains("bad records (warm-up included): " + report.badRecordsSent() + " sent");
  }
}
