package io.insession.load.cli;

import io.insession.load.ha.FailoverScenario;
import io.insession.load.stack.EmbeddedStack;
import java.io.IOException;
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
      "With --membership dynamic,static both modes run in turn and a summary compares them.",
      "Example:  load-tests/run failover --instances 3 --rate 100 --membership dynamic,static"
    })
final class FailoverCommand implements Callable<Integer> {

  private static final String DYNAMIC = "dynamic";
  private static final String STATIC = "static";

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
          "A setting of every instance, e.g. -s insession.streams.session.timeout.ms=6000, -s"
              + " num.standby.replicas=0 (repeatable).")
  List<String> settings = new ArrayList<>();

  @Option(
      names = "--start-timeout",
      paramLabel = "SECONDS",
      description =
          "How long an instance may take to be ready, and the lists to come back (default"
              + " ${DEFAULT-VALUE}; raise it on a machine busy with other work).")
  int startTimeoutSeconds = 300;

  @Option(names = "--app-heap", description = "-Xmx of each instance (default ${DEFAULT-VALUE}).")
  String appHeap = "512m";

  @Option(
      names = "--work-dir",
      paramLabel = "DIR",
      description = "Broker data, state and logs (default: a new directory under /tmp; kept).")
  Path workDir;

  @Option(
      names = "--membership",
      split = ",",
      paramLabel = "MODE",
      description =
          "dynamic, static (each instance keeps its insession.instance.id across restarts), or"
              + " dynamic,static: both in turn on the same broker, with a summary side by side"
              + " (default ${DEFAULT-VALUE}).")
  List<String> memberships = new ArrayList<>(List.of(DYNAMIC));

  /** What one membership mode measured. */
  private record Figures(
      String membership,
      String loadBefore,
      String loadAfter,
      List<Duration> failovers,
      List<Duration> failoverPartitions,
      List<Duration> restarts,
      List<Duration> restartPartitions,
      int events,
      int lists,
      long missing,
      long duplicated) {

    boolean exactlyOnce() {
      return missing == 0 && duplicated == 0;
    }
  }

  @Override
  public Integer call() throws Exception {
    for (final String membership : memberships) {
      if (!DYNAMIC.equals(membership) && !STATIC.equals(membership)) {
        throw new IllegalArgumentException(
            "--membership: " + membership + " is neither " + DYNAMIC + " nor " + STATIC);
      }
    }
    final Path dir = workDir != null ? workDir : Files.createTempDirectory("insession-failover-");
    System.out.printf(
        Locale.ROOT,
        "failover: %d instances, %d partitions, %d sessions, %.0f events/s, membership %s,"
            + " settings %s; logs in %s%n",
        instances,
        partitions,
        sessions,
        rate,
        memberships,
        settings,
        dir);
    final List<Figures> all = new ArrayList<>();
    try (EmbeddedStack stack = EmbeddedStack.startBroker(dir)) {
      for (final String membership : memberships) {
        all.add(measure(stack, STATIC.equals(membership)));
      }
    }
    System.out.println("side by side (median / max over the partitions' gaps, all rounds):");
    for (final Figures f : all) {
      System.out.printf(
          Locale.ROOT,
          "  %-7s kill -9 gap median %s max %s; rolling restart silence median %s max %s;"
              + " %d events, %d lists, %d without, %d duplicated; load average %s -> %s%n",
          f.membership(),
          seconds(median(f.failoverPartitions())),
          seconds(max(f.failoverPartitions())),
          seconds(median(f.restartPartitions())),
          seconds(max(f.restartPartitions())),
          f.events(),
          f.lists(),
          f.missing(),
          f.duplicated(),
          f.loadBefore(),
          f.loadAfter());
    }
    return all.stream().allMatch(Figures::exactlyOnce) ? 0 : 1;
  }

  private Figures measure(final EmbeddedStack stack, final boolean staticMembership)
      throws Exception {
    final String membership = staticMembership ? STATIC : DYNAMIC;
    final String loadBefore = loadAverage();
    System.out.printf(Locale.ROOT, "== %s membership (load average %s)%n", membership, loadBefore);
    try (FailoverScenario scenario =
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
                settings,
                staticMembership),
            "failover-" + membership + "-" + System.currentTimeMillis())) {
      waitUntil(
          scenario::allReady, Duration.ofSeconds(startTimeoutSeconds), "every instance ready");
      scenario.startLoad();
      final long warmFrom = System.nanoTime();
      pause(Duration.ofSeconds(settleSeconds));
      System.out.printf(
          Locale.ROOT,
          "steady state: longest silence of any partition over %d s: %s%n",
          settleSeconds,
          seconds(scenario.longestSilence(warmFrom, System.nanoTime())));

      final List<Duration> failovers = new ArrayList<>();
      final List<Duration> failoverPartitions = new ArrayList<>();
      for (int k = 0; k < kills; k++) {
        final int victim = k % instances;
        final long killedAt = scenario.kill(victim);
        waitUntil(
            () -> scenario.firstListAfter(killedAt).size() == partitions,
            Duration.ofSeconds(startTimeoutSeconds),
            "lists on every partition after the kill");
        final Collection<Duration> firsts = scenario.firstListAfter(killedAt).values();
        final Duration gap = max(firsts);
        failovers.add(gap);
        failoverPartitions.addAll(firsts);
        System.out.printf(
            Locale.ROOT,
            "kill -9 #%d (instance %d): failover gap %s (first list after the kill, per"
                + " partition: %s)%n",
            k + 1,
            victim,
            seconds(gap),
            firsts.stream().sorted().map(FailoverCommand::seconds).toList());
        scenario.restart(victim);
        waitUntil(
            scenario::allReady,
            Duration.ofSeconds(startTimeoutSeconds),
            "instance " + victim + " ready again");
        pause(Duration.ofSeconds(settleSeconds));
      }

      final List<Duration> restarts = new ArrayList<>();
      final List<Duration> restartPartitions = new ArrayList<>();
      for (int i = 0; i < instances; i++) {
        final long stoppedAt = scenario.stop(i);
        scenario.restart(i);
        waitUntil(
            scenario::allReady,
            Duration.ofSeconds(startTimeoutSeconds),
            "instance " + i + " ready after its restart");
        pause(Duration.ofSeconds(settleSeconds));
        final Collection<Duration> silences =
            scenario.silencePerPartition(stoppedAt, System.nanoTime()).values();
        final Duration gap = max(silences);
        restarts.add(gap);
        restartPartitions.addAll(silences);
        System.out.printf(
            Locale.ROOT,
            "rolling restart, instance %d (SIGTERM, start, ready): longest silence of any"
                + " partition %s (per partition: %s)%n",
            i,
            seconds(gap),
            silences.stream().sorted().map(FailoverCommand::seconds).toList());
      }

      scenario.stopLoad();
      waitUntil(
          scenario::everyEventHasAList,
          Duration.ofSeconds(startTimeoutSeconds),
          "a list for every event");
      final Map<String, Integer> counts = scenario.countsPerEvent();
      final long duplicated = counts.values().stream().filter(c -> c > 1).count();
      final long missing =
          scenario.sent().stream().filter(e -> !counts.containsKey(e.getEventId())).count();
      final Figures figures =
          new Figures(
              membership,
              loadBefore,
              loadAverage(),
              failovers,
              failoverPartitions,
              restarts,
              restartPartitions,
              scenario.sent().size(),
              scenario.received().size(),
              missing,
              duplicated);
      System.out.printf(
          Locale.ROOT,
          "counts (read_committed): %d events, %d lists, %d events without a list, %d with more"
              + " than one%n",
          figures.events(),
          figures.lists(),
          missing,
          duplicated);
      System.out.printf(
          Locale.ROOT,
          "summary (%s): failover gap (kill -9) max %s over %d kills %s; rolling restart longest"
              + " silence max %s %s; load average %s -> %s%n",
          membership,
          seconds(max(failovers)),
          kills,
          failovers.stream().map(FailoverCommand::seconds).toList(),
          seconds(max(restarts)),
          restarts.stream().map(FailoverCommand::seconds).toList(),
          loadBefore,
          figures.loadAfter());
      return figures;
    }
  }

  private static Duration max(final Collection<Duration> durations) {
    return durations.stream().max(Duration::compareTo).orElse(Duration.ZERO);
  }

  /** The median (the mean of the middle two of an even count). */
  private static Duration median(final List<Duration> durations) {
    if (durations.isEmpty()) {
      return Duration.ZERO;
    }
    final List<Duration> sorted = durations.stream().sorted().toList();
    final int middle = sorted.size() / 2;
    return sorted.size() % 2 == 1
        ? sorted.get(middle)
        : sorted.get(middle - 1).plus(sorted.get(middle)).dividedBy(2);
  }

  /** The 1, 5 and 15 minute load averages ({@code /proc/loadavg}), or "n/a" where there is none. */
  private static String loadAverage() {
    try {
      final String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException | ArrayIndexOutOfBoundsException e) {
      return "n/a";
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
