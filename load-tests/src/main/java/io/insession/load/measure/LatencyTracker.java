package io.insession.load.measure;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Matches each list to the event that triggered it ({@code triggerEventId}) and records the
 * end-to-end latency: the moment the event was handed to the producer to the moment the consumer
 * decoded its list, both on this JVM's monotonic clock (no clock skew between machines or processes
 * enters the figure).
 *
 * <p>Thread-safe: one thread sends, another receives. Latencies are recorded in microseconds, up to
 * one hour, 3 significant digits. {@link #takeInterval()} returns what was recorded since the last
 * call (for ramp steps) and adds it to the run's total.
 */
public final class LatencyTracker {

  private static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);

  private final ConcurrentHashMap<String, Long> inFlight = new ConcurrentHashMap<>();
  private final Recorder recorder = new Recorder(HIGHEST_MICROS, 3);
  private final Histogram total = new Histogram(HIGHEST_MICROS, 3);
  private final LongAdder sent = new LongAdder();
  private final LongAdder matched = new LongAdder();
  private final LongAdder unmatched = new LongAdder();
  private final LongAdder fallbacks = new LongAdder();

  /** Remembers an event as it is handed to the producer. */
  public void sent(final String eventId, final long nanos) {
    inFlight.put(eventId, nanos);
    sent.increment();
  }

  /**
   * A list arrived.
   *
   * @param triggerEventId the list's trigger event
   * @param nanos when it was received (same clock as {@link #sent})
   * @param fallback whether the list is the cold-start fallback (the model was not run)
   * @return whether the list matched an event of this run (lists of other producers, duplicates and
   *     lists for events sent before this run do not)
   */
  public boolean received(final String triggerEventId, final long nanos, final boolean fallback) {
    final Long sentAt = inFlight.remove(triggerEventId);
    if (sentAt == null) {
      unmatched.increment();
      return false;
    }
    final long micros = Math.max(0, (nanos - sentAt) / 1_000L);
    recorder.recordValue(Math.min(micros, HIGHEST_MICROS));
    matched.increment();
    if (fallback) {
      fallbacks.increment();
    }
    return true;
  }

  /** Events sent so far. */
  public long sent() {
    return sent.sum();
  }

  /** Lists matched to an event so far. */
  public long matched() {
    return matched.sum();
  }

  /** Lists that matched no event of this run. */
  public long unmatched() {
    return unmatched.sum();
  }

  /** Matched lists that were cold-start fallbacks (item unknown to the model: no ONNX call). */
  public long fallbacks() {
    return fallbacks.sum();
  }

  /** Events still waiting for their list: the end-to-end lag in events. */
  public long pending() {
    return inFlight.size();
  }

  /** Latencies (µs) recorded since the previous call; they are also added to {@link #total()}. */
  public synchronized Histogram takeInterval() {
    final Histogram interval = recorder.getIntervalHistogram();
    total.add(interval);
    return interval;
  }

  /** Every latency (µs) taken by {@link #takeInterval()} so far. */
  public synchronized Histogram total() {
    return total.copy();
  }
}
