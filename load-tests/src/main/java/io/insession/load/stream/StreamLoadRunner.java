package io.insession.load.stream;

import io.insession.load.measure.CpuMeter;
import io.insession.load.measure.LatencySummary;
import io.insession.load.replay.SessionInterleaver;
import io.insession.load.report.LoadReport;
import io.insession.load.report.StepReport;
import io.insession.load.report.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a {@link LoadPlan} on a connected {@link StreamLoad}: warm-up, phases, drain, report. */
public final class StreamLoadRunner {

  private static final Logger LOG = LoggerFactory.getLogger(StreamLoadRunner.class);

  /**
   * What the report says about the setup (the generator cannot see the app's bundle itself).
   *
   * @param bundle the app's model bundle, as the user named it
   * @param sessionsFile the recorded sessions
   */
  public record Labels(String bundle, String sessionsFile) {}

  private final StreamLoad load;
  private final Verdict verdict;
  private final CpuMeter appCpu;

  /**
   * @param appCpu the app's process, for its CPU per phase ({@link CpuMeter#unknown()} when the
   *     generator cannot see it)
   */
  public StreamLoadRunner(final StreamLoad load, final Verdict verdict, final CpuMeter appCpu) {
    this.load = load;
    this.verdict = verdict;
    this.appCpu = appCpu;
  }

  /**
   * Waits for the app, warms it up, runs the plan and drains.
   *
   * @param warmup warm-up rate and duration (lists of the warm-up do not count); zero duration
   *     skips. It should run at the rate of the first phase, long enough for both JVMs to finish
   *     compiling their hot paths (see {@code StreamCommand}'s {@code --warmup-seconds})
   * @param stop checked during the phases: true ends the run early (e.g. on Ctrl-C)
   */
  public LoadReport run(
      final SessionInterleaver sessions,
      final LoadPlan plan,
      final double warmupRate,
      final Duration warmup,
      final Duration drainTimeout,
      final Duration readyTimeout,
      final Labels labels,
      final String bootstrapServers,
      final BooleanSupplier stop)
      throws InterruptedException {
    final String startedAt = Instant.now().toString();
    if (!load.awaitFirstList(sessions, readyTimeout)) {
      throw new IllegalStateException(
          "no list came back within " + readyTimeout + ": is the app running on this cluster?");
    }
    if (!warmup.isZero()) {
      LOG.info("Warm-up: {} events/s for {} s", warmupRate, warmup.toSeconds());
      load.runPhase(sessions, warmupRate, warmup, verdict, appCpu, stop);
      final long behind = load.drain(drainTimeout);
      if (behind > 0) {
        LOG.warn(
            "The warm-up left {} events without a list after the drain: the first phase starts"
                + " behind (warm up at a lower rate with --warmup-rate)",
            behind);
      }
    }
    load.resetMeasurement();
    final List<StepReport> phases = new ArrayList<>();
    double sustainable = 0;
    for (final double rate : plan.rates()) {
      if (stop.getAsBoolean()) {
        break;
      }
      final StepReport phase =
          load.runPhase(sessions, rate, plan.phaseDuration(), verdict, appCpu, stop);
      phases.add(phase);
      LOG.info(
          "{} events/s: sent {}/s, lists {}/s, p99 {} ms, pending {}: {}",
          rate,
          phase.sendRate(),
          phase.listRate(),
          phase.latency().p99Ms(),
          phase.pendingAtEnd(),
          phase.verdict());
      if (phase.sustained()) {
        sustainable = Math.max(sustainable, rate);
      } else if (plan.ramp()) {
        break;
      }
    }
    final long pending = load.drain(drainTimeout);
    final long lag = load.groupLag();
    return new LoadReport(
        plan.ramp() ? "ramp" : "fixed",
        startedAt,
        bootstrapServers,
        labels.bundle(),
        labels.sessionsFile(),
        sessions.concurrency(),
        Runtime.getRuntime().availableProcessors(),
        appCpu.pid().isPresent() ? appCpu.pid().getAsLong() : null,
        load.tracker().sent(),
        load.tracker().matched(),
        load.tracker().unmatched(),
        load.tracker().fallbacks(),
        sustainable,
        LatencySummary.ofMicros(load.tracker().total()),
        pending,
        lag,
        phases,
        load.badRecordsSent(),
        load.deadLetters());
  }
}
