package io.insession.topology;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The work cycle of one stream thread, as its main consumer sees it: the thread polls only after it
 * has processed every record it had buffered (or when the next poll is due), so each poll marks a
 * moment when the thread was free. The micro-batch of the thread ({@link ThreadBatch}) scores its
 * events at the first such moment after they joined it, instead of after a fixed delay: a quiet
 * thread scores an event as soon as it has read it, a busy one scores everything it read while it
 * was busy in one call.
 *
 * <p>The count is a fact about the thread, like its name, so it lives in a {@link ThreadLocal}: the
 * consumer (wiring, {@code runtime.FreeThreadClientSupplier}) and the batch of every topology the
 * thread runs read the same cycle. Without that consumer (the topology test driver) the cycle never
 * advances and batches fall back to their size and delay.
 */
public final class ThreadCycle {

  private static final ThreadLocal<ThreadCycle> CURRENT = ThreadLocal.withInitial(ThreadCycle::new);

  private long polls;
  private final AtomicInteger waiting = new AtomicInteger();

  private ThreadCycle() {}

  /** The cycle of the calling thread. */
  public static ThreadCycle current() {
    return CURRENT.get();
  }

  /**
   * The thread is about to poll: it is free.
   *
   * @return whether events of this thread wait to be scored or their lists to be emitted; the poll
   *     should then come back at once, so that a punctuation does it
   */
  public boolean polling() {
    polls++;
    return waiting.get() > 0;
  }

  /** How often the thread has polled (read on the thread itself). */
  long polls() {
    return polls;
  }

  /** {@code delta} more (or, negative, fewer) events of this thread wait for their list. */
  void waiting(final int delta) {
    waiting.addAndGet(delta);
  }
}
