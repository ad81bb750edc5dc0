package io.insession.load.report;

import java.util.Locale;

/**
 * Whether a phase was sustainable: the generator kept its rate (it is not the bottleneck), the
 * lists kept up with the events (list rate within {@code minListShare} of the send rate) and the
 * backlog at the end of the phase stayed bounded (at most {@code maxPendingSeconds} worth of events
 * waiting for their list).
 *
 * @param minListShare lists/s at least this share of events/s (e.g. 0.95)
 * @param maxPendingSeconds events waiting for their list at the end at most this many seconds of
 *     load
 * @param minSendShare the generator sent at least this share of the target rate
 */
public record Verdict(double minListShare, double maxPendingSeconds, double minSendShare) {

  /** The defaults: 95% of the lists, at most 1 s of backlog, 97% of the target rate sent. */
  public static Verdict defaults() {
    return new Verdict(0.95, 1.0, 0.97);
  }

  /** Null when the phase kept up, else the reason it did not. */
  public String failure(
      final double targetRate, final double sendRate, final double listRate, final long pending) {
    if (sendRate < minSendShare * targetRate) {
      return String.format(
          Locale.ROOT,
          "generator-bound: sent %.0f/s of %.0f/s (the generator or the broker cannot keep the"
              + " rate)",
          sendRate,
          targetRate);
    }
    if (listRate < minListShare * sendRate) {
      return String.format(
          Locale.ROOT, "lists fall behind: %.0f lists/s for %.0f events/s", listRate, sendRate);
    }
    final double maxPending = Math.max(50, maxPendingSeconds * targetRate);
    if (pending > maxPending) {
      return String.format(
          Locale.ROOT,
          "backlog: %d events waiting for their list (limit %.0f = %.1f s of load)",
          pending,
          maxPending,
          maxPendingSeconds);
    }
    return null;
  }
}
