package io.insession.runtime;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Bridges Ctrl-C / SIGTERM to the main thread: {@link #await()} returns when the JVM is asked to
 * stop, and the JVM waits (up to a grace period) until the main thread has closed everything.
 */
public final class ShutdownSignal implements AutoCloseable {

  private final CountDownLatch requested = new CountDownLatch(1);
  private final CountDownLatch finished = new CountDownLatch(1);

  /** Installs the JVM shutdown hook. */
  public static ShutdownSignal install(final Duration grace) {
    final ShutdownSignal signal = new ShutdownSignal();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  signal.requested.countDown();
                  try {
                    signal.finished.await(grace.toMillis(), TimeUnit.MILLISECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "insession-shutdown"));
    return signal;
  }

  /** Blocks until a stop is requested. */
  public void await() throws InterruptedException {
    requested.await();
  }

  /** Whether a stop has been requested. */
  public boolean requested() {
    return requested.getCount() == 0;
  }

  /** Asks to stop from inside the process (e.g. the demo's --exit-after-replay). */
  public void request() {
    requested.countDown();
  }

  /** Marks the clean-up as finished; the JVM may now exit. */
  @Override
  public void close() {
    finished.countDown();
  }
}
