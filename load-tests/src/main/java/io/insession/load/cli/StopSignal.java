package io.insession.load.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl-C / SIGTERM ends a run early but cleanly: the hook raises the flag the load loops check,
 * then waits (up to 40 s) until the command has closed what it started (child processes, broker).
 */
final class StopSignal implements AutoCloseable {

  private final AtomicBoolean requested = new AtomicBoolean();
  private final CountDownLatch done = new CountDownLatch(1);
  private final Thread hook;

  StopSignal() {
    this.hook =
        new Thread(
            () -> {
              requested.set(true);
              try {
                done.await(40, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "load-stop");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  boolean requested() {
    return requested.get();
  }

  @Override
  public void close() {
    done.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down: the hook is running and just got released
    }
  }
}
