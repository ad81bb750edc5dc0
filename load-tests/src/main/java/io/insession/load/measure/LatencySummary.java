package io.insession.load.measure;

import org.HdrHistogram.Histogram;

/**
 * Percentiles of a latency histogram in milliseconds.
 *
 * @param count recorded values
 * @param p50Ms median
 * @param p95Ms 95th percentile
 * @param p99Ms 99th percentile
 * @param p999Ms 99.9th percentile
 * @param maxMs maximum
 * @param meanMs mean
 */
public record LatencySummary(
    long count,
    double p50Ms,
    double p95Ms,
    double p99Ms,
    double p999Ms,
    double maxMs,
    double meanMs) {

  /** From a histogram of microseconds. */
  public static LatencySummary ofMicros(final Histogram micros) {
    if (micros.getTotalCount() == 0) {
      return new LatencySummary(0, 0, 0, 0, 0, 0, 0);
    }
    return new LatencySummary(
        micros.getTotalCount(),
        ms(micros.getValueAtPercentile(50)),
        ms(micros.getValueAtPercentile(95)),
        ms(micros.getValueAtPercentile(99)),
        ms(micros.getValueAtPercentile(99.9)),
        ms(micros.getMaxValue()),
        Math.round(micros.getMean()) / 1000.0);
  }

  private static double ms(final long micros) {
    return micros / 1000.0;
  }
}
