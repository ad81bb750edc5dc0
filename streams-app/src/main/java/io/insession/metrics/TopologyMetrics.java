package io.insession.metrics;

import java.time.Duration;

/**
 * What the topology reports while it processes: the seam between the processors and a metrics
 * library, so that {@code RecommenderTopology.build} stays a pure function and tests can pass
 * {@link #NONE} or a recorder of their own.
 *
 * <p>Implementations are thread-safe: every stream thread's processors share one instance.
 */
public interface TopologyMetrics {

  /** Records nothing. */
  TopologyMetrics NONE = new TopologyMetrics() {};

  /** One record read from the input topic, valid or not. */
  default void eventIn() {}

  /** One record sent to the dead-letter topic, for {@code reason}. */
  default void deadLetter(final String reason) {}

  /**
   * One list emitted.
   *
   * @param endToEnd from the triggering event's time to the list's {@code emittedAt}
   */
  default void listOut(final Duration endToEnd) {}

  /**
   * One call of the scorer.
   *
   * @param requests how many sessions the call advanced (1 per call today)
   * @param nanos how long the call took
   */
  default void scored(final int requests, final long nanos) {}

  /**
   * The exact number of sessions a task holds, counted by its expiry scan.
   *
   * @param task the stream task (its id)
   * @param sessions sessions left after the scan removed the expired ones
   */
  default void activeSessions(final String task, final long sessions) {}

  /**
   * A record whose Kafka timestamp was invalid (negative): it was processed with the partition's
   * time (or the wall clock) instead.
   */
  default void invalidRecordTimestamp() {}

  /** An event whose eventId the session had already applied (a retry): applied once, not again. */
  default void duplicateEvent() {}

  /** The task was closed (e.g. moved to another instance): its sessions no longer count here. */
  default void taskClosed(final String task) {}
}
