package io.insession.topology;

import io.insession.schemas.WeblogEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * The micro-batch of one stream thread, shared by the score-session processors of all its tasks.
 *
 * <p>A stream thread runs several tasks (one per input partition it owns). Batching per task would
 * split the thread's events into as many small batches as it has tasks; sharing one batch per
 * thread gives the scorer the thread's whole load per call. Each entry remembers its task's
 * processor, which alone may write that task's stores and forward its lists ({@link
 * ScoreSessionProcessor}).
 *
 * <p>When it is scored: when it is full, when the thread has been free since its oldest event
 * joined (it polled again, see {@link ThreadCycle}; with eager batching), or when its oldest event
 * has waited the maximum delay. The batch counts its events in the thread's cycle until their lists
 * are emitted ({@link #done}), so that the thread does not block in a poll while they wait.
 *
 * <p>Used by one stream thread; the methods are synchronized only so that a task closed from
 * another thread can still withdraw its entries safely.
 */
final class ThreadBatch {

  /**
   * An event waiting in the batch.
   *
   * @param owner the processor of the event's task
   * @param key the event's key in that task's pending-events store
   * @param event the event
   */
  record Entry(ScoreSessionProcessor owner, long key, WeblogEvent event) {}

  private final List<Entry> entries = new ArrayList<>();
  // created on the stream thread (by its first score-session processor): that thread's cycle
  private final ThreadCycle cycle = ThreadCycle.current();
  private long firstAddedMs;
  private long firstAddedPolls;

  /** Adds an event; {@code nowMs} is the wall-clock time, which starts the delay of a new batch. */
  synchronized void add(final Entry entry, final long nowMs) {
    if (entries.isEmpty()) {
      firstAddedMs = nowMs;
      firstAddedPolls = cycle.polls();
    }
    entries.add(entry);
    cycle.waiting(1);
  }

  synchronized int size() {
    return entries.size();
  }

  /**
   * Whether the batch is full, or (with {@code eager}) the thread has polled since its oldest event
   * joined, or its oldest event has waited {@code maxDelayMs}.
   */
  synchronized boolean due(
      final long nowMs, final int maxSize, final long maxDelayMs, final boolean eager) {
    if (entries.isEmpty()) {
      return false;
    }
    return entries.size() >= maxSize
        || eager && cycle.polls() > firstAddedPolls
        || nowMs - firstAddedMs >= maxDelayMs;
  }

  /** Every waiting event in arrival order; the batch is empty afterwards. */
  synchronized List<Entry> takeAll() {
    final List<Entry> all = List.copyOf(entries);
    entries.clear();
    return all;
  }

  /** Withdraws the events of a closing task (its pending-events store still holds them). */
  synchronized void removeAll(final ScoreSessionProcessor owner) {
    final int before = entries.size();
    entries.removeIf(entry -> entry.owner() == owner);
    cycle.waiting(entries.size() - before);
  }

  /** {@code events} taken from the batch have had their lists emitted, or were withdrawn. */
  void done(final int events) {
    cycle.waiting(-events);
  }
}
