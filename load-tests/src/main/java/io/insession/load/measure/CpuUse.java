package io.insession.load.measure;

/**
 * CPU time one process used during an interval, as printed and written to JSON.
 *
 * @param cpuSeconds CPU time used (all threads, user and system)
 * @param cores CPU time per second of wall time: 1.0 is one core busy the whole interval
 * @param microsPerEvent CPU time per event sent in the interval, in µs; null when none was sent
 */
public record CpuUse(double cpuSeconds, double cores, Double microsPerEvent) {

  /**
   * From raw figures, rounded for reading: cores to 0.001, µs per event to 0.1.
   *
   * @param cpuNanos CPU time used
   * @param wallNanos length of the interval (> 0)
   * @param events events sent in the interval
   */
  public static CpuUse of(final long cpuNanos, final long wallNanos, final long events) {
    if (wallNanos <= 0) {
      throw new IllegalArgumentException("an interval needs a positive length: " + wallNanos);
    }
    return new CpuUse(
        Math.round(cpuNanos / 1e6) / 1e3,
        Math.round(1e3 * cpuNanos / (double) wallNanos) / 1e3,
        events > 0 ? Math.round(10.0 * cpuNanos / 1e3 / events) / 10.0 : null);
  }
}
