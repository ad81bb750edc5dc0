package io.insession.load.report;

import io.insession.load.measure.LatencySummary;
import java.util.List;
import java.util.Map;

/**
 * The result of an end-to-end run (fixed rate or ramp), as printed and as written to JSON.
 *
 * @param mode "fixed" or "ramp"
 * @param startedAt ISO-8601 start time
 * @param bootstrapServers the cluster
 * @param bundle the model bundle the app served, when known (the generator cannot see it when the
 *     app was started separately: pass --bundle to record it)
 * @param sessionsFile the recorded sessions replayed
 * @param concurrency sessions open at once
 * @param availableProcessors processors this JVM may use (the cores the generator, the broker and,
 *     on the same machine, the app share)
 * @param appPid the app's process id whose CPU the phases report (null when unknown)
 * @param sent events sent (all phases, warm-up excluded)
 * @param lists lists matched to an event
 * @param unmatchedLists lists that matched no event of this run
 * @param fallbackLists matched lists that were cold-start fallbacks (no model step)
 * @param sustainableRate ramp: the highest target rate that was sustained; fixed: the target rate
 *     if it was sustained, else 0
 * @param latency end-to-end latency of every matched list (all phases, drain included)
 * @param pendingAtEnd events without a list after the drain
 * @param groupLagAtEnd the app's consumer lag on the weblog topic after the drain (-1 = unknown)
 * @param phases the fixed-rate phases (one for a fixed run, one per step for a ramp)
 * @param badRecordsSent bad records mixed in (warm-up included; 0 unless asked for)
 * @param deadLetters dead letters read while the run sent bad records, by reason (empty otherwise):
 *     events in = lists + dead letters when nothing was lost
 */
public record LoadReport(
    String mode,
    String startedAt,
    String bootstrapServers,
    String bundle,
    String sessionsFile,
    int concurrency,
    int availableProcessors,
    Long appPid,
    long sent,
    long lists,
    long unmatchedLists,
    long fallbackLists,
    double sustainableRate,
    LatencySummary latency,
    long pendingAtEnd,
    long groupLagAtEnd,
    List<StepReport> phases,
    long badRecordsSent,
    Map<String, Long> deadLetters) {

  public LoadReport {
    phases = List.copyOf(phases);
    deadLetters = Map.copyOf(deadLetters);
  }
}
