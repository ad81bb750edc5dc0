package io.insession.load.cli;

import io.insession.load.ha.FailoverScenario;
import io.insession.load.stack.EmbeddedStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code failover}: the gaps in the lists when an instance dies or all restart in turn. */
@Command(
    name = "failover",
    mixinStandardHelpOptions = true,
    description = {
      "High availability figures: N `insession run` processes in one group (standby replicas",
      "as configured, one by default) on a broker in this JVM, under a steady load. Each",
      "instance in turn is killed (kill -9) and started again; then all are restarted in turn",
      "(SIGTERM, start, ready). Prints the failover gap of each kill (from the kill to the first",
      "list of the last partition to get one: the partitions of the dead instance), the longest",
      "silence of any partition during each restart, and at the end the counts of a",
      "read_committed reader: events, lists, events without a list, events with more than one.",
      "Example:  load-tests/run failover --instances 3 --rate 100"
    })
final class FailoverCommand implements Callable<Integer> {

  private static final Duration START = Duration.ofMinutes(5);

  @Option(names = "--instances", description = "Processes (default ${DEFAULT-VALUE}).")
  int instances = 3;

  @Option(names = "--partitions", description = "Default ${DEFAULT-VALUE}.")
  int partitions = 6;

  @Option(names = "--sessions", description = "Sessions in rotation (default ${DEFAULT-VALUE}).")
  int sessions = 120;

  @Option(names = "--rate", description = "Events/s (default ${DEFAULT-VALUE}).")
  double rate = 100;

  @Option(
      names = "--kills",
      description = "kill -9 rounds, in rotation (default ${DEFAULT-VALUE}).")
  int kills = 3;

  @Option(
      names = "--settle",
      paramLabel = "SECONDS",
      description = "Load between disruptions (default ${DEFAULT-VALUE}).")
  int settleSeconds = 15;

  @Option(
      names = {"-s", "--set"},
      paramLabel = "KEY=VALUE",
      description =
          "A setting of every instance, e.g. -s session.timeout.ms=6000, -s"
              + " num.standby.replicas=0 (repeatable).")
  List<String> settings = new ArrayList<>();

  @Option(names = "--app-heap", description = "-Xmx of each instance (default ${DEFAULT-VALUE}).")
  String appHeap = "512m";

  @Option(
      names = "--work-dir",
      paramLabel = "DIR",
      description = "Broker data, state and logs (default: a new directory under /tmp; kept).")
  Path workDir;

  @Override
  public Integer call() throws Exception {
    final Path dir = workDir != null ? workDir : Files.createTempDirectory("insession-failover-");
    System.out.printf(
        Locale.ROOT,
        "failover: %d instances, %d partitions, %d sessions, %.0f events/s, settings %s;"
            + " logs in %s%n",
        instances,
        partitions,
        sessions,
        rate,
        settings,
        dir);
    try (EmbeddedStack stack = EmbeddedStack.startBroker(dir);
        FailoverScenario scenario =
            FailoverScenario.start(
                stack,
                new FailoverScenario.Settings(
                    instances,
                    partitions,
                    sessions,
                    rate,
                    Paths.appJar(),
                    Paths.tinyBundle(),
                    List.of("-Xmx" + appHeap),
                    settings),
                "failover-" + System.currentTimeMillis())) {
      waitUntil(scenario::allReady, START, "every instance ready");
      scenario.startLoad();
      final long warmFrom = System.nanoTime();
      pause(Duration.ofSeconds(settleSeconds));
      System.out.printf(
          Locale.ROOT,
          "steady state: longest silence of any partition over %d s: %s%n",
          settleSeconds,
          seconds(scenario.longestSilence(warmFrom, System.nanoTime())));

      final List<Duration> failovers = new ArrayList<>();
      for (int k = 0; k < kills; k++) {
        final int victim = k % instances;
        final long killedAt = scenario.kill(victim);
        waitUntil(
            () -> scenario.firstListAfter(killedAt).size() == partitions,
            START,
            "lists on every partition after the kill");
        final Collection<Duration> firsts = scenario.firstListAfter(killedAt).values();
        final Duration gap = firsts.stream().max(Duration::compareTo).orElseThrow();
        failovers.add(gap);
        System.out.printf(
            Locale.ROOT,
            "kill -9 #%d (instance %d): failover gap %s (first list after the kill, per"
                + " partition: %s)%n",
            k + 1,
            victim,
            seconds(gap),
            firsts.stream().sorted().map(FailoverCommand::seconds).toList());
        scenario.restart(victim);
        waitUntil(scenario::allReady, START, "instance " + victim + " ready again");
        pause(Duration.ofSeconds(settleSeconds));
      }

      final List<Duration> restarts = new ArrayList<>();
      for (int i = 0; i < instances; i++) {
        final long stoppedAt = scenario.stop(i);
        scenario.restart(i);
        waitUntil(scenario::allReady, START, "instance " + i + " ready after its restart");
        pause(Duration.ofSeconds(settleSeconds));
        final Duration gap = scenario.longestSilence(stoppedAt, System.nanoTime());
        restarts.add(gap);
        System.out.printf(
            Locale.ROOT,
            "rolling restart, instance %d (SIGTERM, start, ready): longest silence of any"
                + " partition %s%n",
            i,
            seconds(gap));
      }

      scenario.stopLoad();
      waitUntil(scenario::everyEventHasAList, START, "a list for every event");
      final Map<String, Integer> counts = scenario.countsPerEvent();
      final long duplicated = counts.values().stream().filter(c -> c > 1).count();
      final long missing =
          scenario.sent().stream().filter(e -> !counts.containsKey(e.getEventId())).count();
      System.out.printf(
          Locale.ROOT,
          "counts (read_committed): %d events, %d lists, %d events without a list, %d with more"
              + " than one%n",
          scenario.sent().size(),
          scenario.received().size(),
          missing,
          duplicated);
      System.out.printf(
          Locale.ROOT,
          "summary: failover gap (kill -9) max %s over %d kills %s; rolling restart longest"
              + " silence max %s %s%n",
          seconds(failovers.stream().max(Duration::compareTo).orElse(Duration.ZERO)),
          kills,
          failovers.stream().map(FailoverCommand::seconds).toList(),
          seconds(restarts.stream().max(Duration::compareTo).orElse(Duration.ZERO)),
          restarts.stream().map(FailoverCommand::seconds).toList());
      return missing == 0 && duplicated == 0 ? 0 : 1;
    }
  }

  private static String seconds(final Duration d) {
    return String.format(Locale.ROOT, "%.2f s", d.toMillis() / 1000.0);
  }

  private static void pause(final Duration duration) throws InterruptedException {
    Thread.sleep(duration.toMillis());
  }

  private static void waitUntil(
      final BooleanSupplier condition, final Duration timeout, final String what)
      throws InterruptedException {
    final long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no " + what + " within " + timeout);
      }
      Thread.sleep(100);
    }
  }
}
