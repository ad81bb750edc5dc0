package io.insession.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The token bucket and the per-key limiter on a clock moved by hand. */
class TokenBucketTest {

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  private void advanceMillis(final long millis) {
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
  }

  @Test
  void shouldLetABurstThroughThenRefuseUntilATokenIsBack() {
    final TokenBucket bucket = new TokenBucket(2.0, 3, nanos::get);

    assertThat(bucket.tryTake()).isZero();
    assertThat(bucket.tryTake()).isZero();
    assertThat(bucket.tryTake()).isZero();
    // empty: one token takes 1/2 s at 2 per second
    assertThat(bucket.tryTake()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(500));

    advanceMillis(499);
    assertThat(bucket.tryTake()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(1));
    advanceMillis(1);
    assertThat(bucket.tryTake()).isZero();
    assertThat(bucket.tryTake()).isPositive();
  }

  @Test
  void shouldNeverHoldMoreThanItsCapacity() {
    final TokenBucket bucket = new TokenBucket(10.0, 2, nanos::get);
    advanceMillis(60_000); // a minute idle refills 600 tokens' worth, but the bucket holds 2

    assertThat(bucket.tryTake()).isZero();
    assertThat(bucket.tryTake()).isZero();
    assertThat(bucket.tryTake()).isPositive();
  }

  @Test
  void shouldNotCountARefusedRequestAgainstTheNextOne() {
    final TokenBucket bucket = new TokenBucket(1.0, 1, nanos::get);
    assertThat(bucket.tryTake()).isZero();
    for (int i = 0; i < 100; i++) {
      assertThat(bucket.tryTake()).isPositive(); // refusals take nothing
    }
    advanceMillis(1000);
    assertThat(bucket.tryTake()).isZero();
  }

  @Test
  void shouldIgnoreAClockThatGoesBack() {
    final TokenBucket bucket = new TokenBucket(1.0, 1, nanos::get);
    assertThat(bucket.tryTake()).isZero();
    nanos.addAndGet(-TimeUnit.SECONDS.toNanos(10));
    assertThat(bucket.tryTake()).isPositive();
    nanos.addAndGet(TimeUnit.SECONDS.toNanos(10));
    assertThat(bucket.tryTake()).isPositive(); // no tokens for the time it went back
    advanceMillis(1000);
    assertThat(bucket.tryTake()).isZero();
  }

  @Test
  void shouldRefuseBadSettings() {
    assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, 1, nanos::get));
    assertThrows(IllegalArgumentException.class, () -> new TokenBucket(-1, 1, nanos::get));
    assertThrows(IllegalArgumentException.class, () -> new TokenBucket(Double.NaN, 1, nanos::get));
    assertThrows(IllegalArgumentException.class, () -> new TokenBucket(1, 0, nanos::get));
  }

  @Test
  void shouldLimitEachKeyOnItsOwnAndRoundRetryAfterUpToWholeSeconds() {
    final RateLimiter limiter = new RateLimiter(0.5, 2, nanos::get);

    assertThat(limiter.retryAfterSeconds("a")).isEmpty();
    assertThat(limiter.retryAfterSeconds("a")).isEmpty();
    // 0.5 per second: the next token is 2 s away
    assertThat(limiter.retryAfterSeconds("a")).hasValue(2);
    // another key has its own full bucket
    assertThat(limiter.retryAfterSeconds("b")).isEmpty();

    advanceMillis(1500);
    assertThat(limiter.retryAfterSeconds("a")).hasValue(1); // 0.5 s left, rounded up
    advanceMillis(500);
    assertThat(limiter.retryAfterSeconds("a")).isEmpty();
  }

  @Test
  void shouldLetEverythingThroughWhenOff() {
    final RateLimiter off = new RateLimiter(0, 1, nanos::get);
    assertThat(off.enabled()).isFalse();
    for (int i = 0; i < 1000; i++) {
      assertThat(off.retryAfterSeconds("a")).isEmpty();
    }
  }
}
