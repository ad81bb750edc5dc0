package io.insession.load.replay;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Open-loop pacing at a fixed rate: event {@code i} of a phase is due at {@code start + i / rate}.
 * A sender that falls behind sends at once (it never skips and never slows the schedule down), and
 * {@link #behindNanos} says by how much it is behind, so a slow generator shows up in the report
 * instead of silently lowering the load.
 */
public final class Pacer {

  private final LongSupplier nanoClock;
  private final double intervalNanos;
  private final long start;

  /**
   * @param eventsPerSecond the target rate, > 0
   * @param nanoClock a monotonic clock (System::nanoTime)
   */
  public Pacer(final double eventsPerSecond, final LongSupplier nanoClock) {
    if (!(eventsPerSecond > 0)) {
      throw new IllegalArgumentException("eventsPerSecond must be > 0: " + eventsPerSecond);
    }
    this.nanoClock = nanoClock;
    this.intervalNanos = 1e9 / eventsPerSecond;
    this.start = nanoClock.getAsLong();
  }

  /** When the phase started. */
  public long startNanos() {
    return start;
  }

  /** When event {@code index} (0-based) of this phase is due. */
  public long dueNanos(final long index) {
    return start + (long) (index * intervalNanos);
  }

  /** How many events are due by {@code nanos}. */
  public long dueBy(final long nanos) {
    return nanos < start ? 0 : (long) ((nanos - start) / intervalNanos) + 1;
  }

  /** How far behind schedule event {@code index} is at {@code now} (0 when on time). */
  public long behindNanos(final long index, final long now) {
    return Math.max(0, now - dueNanos(index));
  }

  /** Parks until event {@code index} is due (returns at once when it is overdue). */
  public void awaitDue(final long index) {
    final long due = dueNanos(index);
    long wait = due - nanoClock.getAsLong();
    while (wait > 0) {
      LockSupport.parkNanos(wait);
      wait = due - nanoClock.getAsLong();
    }
  }
}
