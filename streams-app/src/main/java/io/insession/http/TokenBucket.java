package io.insession.http;

import java.util.function.LongSupplier;

/**
 * A token bucket: holds at most {@code capacity} tokens, refills at {@code perSecond} tokens a
 * second, and each request takes one. Time comes from a nanosecond clock, so tests move it by hand.
 * Thread-safe.
 */
public final class TokenBucket {

  private static final double NANOS_PER_SECOND = 1e9;

  private final double capacity;
  private final double perNano;
  private final LongSupplier nanoClock;
  private double tokens;
  private long lastNanos;

  /**
   * A full bucket.
   *
   * @param perSecond tokens added a second (above 0)
   * @param capacity the most tokens held, so the largest burst (at least 1)
   * @param nanoClock monotonic time in nanoseconds ({@code System::nanoTime})
   */
  public TokenBucket(final double perSecond, final int capacity, final LongSupplier nanoClock) {
    if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
      throw new IllegalArgumentException("perSecond must be positive and finite: " + perSecond);
    }
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1: " + capacity);
    }
    this.capacity = capacity;
    this.perNano = perSecond / NANOS_PER_SECOND;
    this.nanoClock = nanoClock;
    this.tokens = capacity;
    this.lastNanos = nanoClock.getAsLong();
  }

  /**
   * Takes a token if there is one.
   *
   * @return 0 when a token was taken; otherwise the nanoseconds until one will be there (nothing is
   *     taken then)
   */
  public synchronized long tryTake() {
    final long now = nanoClock.getAsLong();
    final long elapsed = now - lastNanos;
    if (elapsed > 0) {
      tokens = Math.min(capacity, tokens + elapsed * perNano);
      lastNanos = now;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    return Math.max(1L, (long) Math.ceil((1 - tokens) / perNano));
  }
}
