package io.insession.demo;

import io.insession.config.InSessionConfig;
import io.insession.experiments.ExperimentBoard;
import io.insession.experiments.ExperimentFollower;
import io.insession.experiments.KpiTable;
import io.insession.schemas.ExperimentKpis;
import io.insession.schemas.Kpi;
import io.insession.schemas.VariantKpis;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo experiment's live KPIs: reads the experiment KPIs topic to its end every second (as
 * {@code insession experiments show} does; a fresh read each time, so a slow broker only delays it)
 * and, every refresh, prints the experiment's figures since it started when they moved (the table
 * of {@code insession experiments show}).
 */
final class LiveKpis implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LiveKpis.class);
  private static final Duration READ_EVERY = Duration.ofSeconds(1);
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
  private static final long POLL_MILLIS = 100;

  private final InSessionConfig config;
  private final String experimentId;
  private final PrintStream out;
  private final long refreshNanos;
  private final ScheduledExecutorService reader;
  private volatile ExperimentKpis latest;
  private Instant printed;
  private long printedAt;

  private LiveKpis(
      final InSessionConfig config,
      final String experimentId,
      final PrintStream out,
      final Duration refresh) {
    this.config = config;
    this.experimentId = experimentId;
    this.out = out;
    this.refreshNanos = refresh.toNanos();
    this.printedAt = System.nanoTime();
    this.reader =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              final Thread thread = new Thread(task, "demo-live-kpis");
              thread.setDaemon(true);
              return thread;
            });
    reader.scheduleWithFixedDelay(
        this::read, READ_EVERY.toMillis(), READ_EVERY.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Follows the KPIs of {@code experimentId} and prints them every {@code refresh} they moved. */
  static LiveKpis start(
      final InSessionConfig config,
      final String experimentId,
      final PrintStream out,
      final Duration refresh) {
    return new LiveKpis(config, experimentId, out, refresh);
  }

  private void read() {
    try {
      ExperimentFollower.readAll(config, READ_TIMEOUT)
          .sinceStart(experimentId)
          .ifPresent(kpis -> latest = kpis);
    } catch (KafkaException e) {
      LOG.warn("Could not read the experiment KPIs (trying again): {}", e.getMessage());
      return;
    }
    final ExperimentKpis kpis = latest;
    if (kpis == null
        || kpis.getComputedAt().equals(printed)
        || System.nanoTime() - printedAt < refreshNanos) {
      return;
    }
    printed = kpis.getComputedAt();
    printedAt = System.nanoTime();
    out.print(
        "── Live KPIs (SIMULATED shoppers) ──"
            + System.lineSeparator()
            + KpiTable.format(kpis, "since it started"));
  }

  /**
   * Waits until the KPIs since the start count {@code sessions} sessions and {@code impressions}
   * lists over all variants, and stops the refresh.
   *
   * @return the KPIs then, or empty when they did not within {@code timeout}
   */
  Optional<ExperimentKpis> awaitCounted(
      final long sessions,
      final long impressions,
      final Duration timeout,
      final BooleanSupplier stop)
      throws InterruptedException {
    final long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline && !stop.getAsBoolean()) {
      final ExperimentKpis kpis = latest;
      if (kpis != null
          && sum(kpis, VariantKpis::getSessions) == sessions
          && sum(kpis, VariantKpis::getImpressions) == impressions) {
        reader.shutdownNow();
        return Optional.of(kpis);
      }
      Thread.sleep(POLL_MILLIS);
    }
    reader.shutdownNow();
    return Optional.empty();
  }

  /** The latest figures read, whether or not they count everything yet. */
  Optional<ExperimentKpis> latest() {
    return Optional.ofNullable(latest);
  }

  private static long sum(final ExperimentKpis kpis, final Function<VariantKpis, Long> count) {
    return kpis.getVariants().stream().mapToLong(count::apply).sum();
  }

  /**
   * One line per variant other than the control: its lifts in CTR, conversion rate and revenue per
   * session, and what each interval says (the rule of docs/experiments.md).
   */
  static String verdict(final ExperimentKpis kpis) {
    final StringBuilder text = new StringBuilder();
    for (final VariantKpis variant : kpis.getVariants()) {
      if (variant.getVariant().equals(kpis.getControl())) {
        continue;
      }
      text.append(
          String.format(Locale.ROOT, "%s against %s:", variant.getVariant(), kpis.getControl()));
      final Map<String, String> labels =
          Map.of(
              "ctr", "CTR",
              "conversion_rate", "conversion rate",
              "revenue_per_session", "revenue per session");
      String separator = " ";
      for (final String kpi : new String[] {"ctr", "conversion_rate", "revenue_per_session"}) {
        text.append(separator).append(labels.get(kpi)).append(' ');
        text.append(reading(ExperimentBoard.KPIS.get(kpi).apply(variant)));
        separator = "; ";
      }
      text.append(" (SIMULATED shoppers)").append(System.lineSeparator());
    }
    return text.toString();
  }

  private static String reading(final Kpi kpi) {
    if (kpi == null || kpi.getLift() == null) {
      return "no lift yet";
    }
    final double low = kpi.getLift().getLow();
    final double high = kpi.getLift().getHigh();
    final String says =
        low > 0 ? "a gain" : high < 0 ? "a loss" : "not enough data yet (the interval spans 0)";
    return String.format(
        Locale.ROOT,
        "%+.1f %% [%+.1f %%, %+.1f %%]: %s",
        kpi.getLift().getEstimate() * 100,
        low * 100,
        high * 100,
        says);
  }

  @Override
  public void close() {
    reader.shutdownNow();
    try {
      reader.awaitTermination(READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
