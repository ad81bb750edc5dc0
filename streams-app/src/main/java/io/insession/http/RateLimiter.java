package io.insession.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One {@link TokenBucket} per key (an API key's name, a client address). The buckets of keys not
 * seen for a while are dropped, and there are at most {@value #MAX_KEYS} of them, so a flood of
 * addresses cannot fill the heap (a dropped bucket comes back full).
 */
public final class RateLimiter {

  /** Most buckets kept. */
  static final int MAX_KEYS = 100_000;

  private final double perSecond;
  private final int burst;
  private final LongSupplier nanoClock;
  private final Cache<String, TokenBucket> buckets;

  /**
   * A limiter; {@code perSecond} 0 lets everything through.
   *
   * @param perSecond requests a second per key, 0 for no limit
   * @param burst requests a key may make at once
   * @param nanoClock monotonic nanoseconds
   */
  public RateLimiter(final double perSecond, final int burst, final LongSupplier nanoClock) {
    if (perSecond < 0 || Double.isNaN(perSecond) || Double.isInfinite(perSecond)) {
      throw new IllegalArgumentException("perSecond must be >= 0 and finite: " + perSecond);
    }
    if (burst < 1) {
      throw new IllegalArgumentException("burst must be >= 1: " + burst);
    }
    this.perSecond = perSecond;
    this.burst = burst;
    this.nanoClock = nanoClock;
    // a bucket left alone this long is full again: dropping it changes nothing
    final long refillNanos =
        perSecond == 0 ? 0 : (long) Math.ceil(burst / perSecond * 1e9) + 1_000_000_000L;
    this.buckets =
        Caffeine.newBuilder()
            .maximumSize(MAX_KEYS)
            .expireAfterAccess(Duration.ofNanos(Math.max(refillNanos, TimeUnit.SECONDS.toNanos(1))))
            .build();
  }

  /** A limiter with the same settings and clock and no buckets yet: one per server. */
  public RateLimiter copy() {
    return new RateLimiter(perSecond, burst, nanoClock);
  }

  /** Whether this limiter limits anything. */
  public boolean enabled() {
    return perSecond > 0;
  }

  /**
   * Takes a token of {@code key}'s bucket.
   *
   * @return empty when the request may go on; otherwise the whole seconds to wait (at least 1), for
   *     {@code Retry-After}
   */
  public OptionalLong retryAfterSeconds(final String key) {
    if (!enabled()) {
      return OptionalLong.empty();
    }
    final long waitNanos =
        buckets.get(key, k -> new TokenBucket(perSecond, burst, nanoClock)).tryTake();
    if (waitNanos == 0) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Math.max(1L, (waitNanos + 999_999_999L) / 1_000_000_000L));
  }

  @Override
  public String toString() {
    return enabled() ? perSecond + "/s (burst " + burst + ")" : "off";
  }
}
