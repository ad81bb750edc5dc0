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
   * @param variant the variant the list's session is assigned to
   * @param endToEnd from the triggering event's time to the list's {@code emittedAt}
   */
  default void listOut(final String variant, final Duration endToEnd) {}

  /**
   * One call of a variant's scorer (the event steps and the re-encoding steps alike).
   *
   * @param variant the variant whose scorer was called
   * @param requests how many sessions the call advanced
   * @param nanos how long the call took
   */
  default void scored(final String variant, final int requests, final long nanos) {}

  /**
   * One session's hidden state, written by another model, re-encoded by its variant's model from
   * the session's recent items (a warm session across model versions).
   *
   * @param variant the session's variant
   * @param steps how many recent items were stepped
   */
  default void reencoded(final String variant, final int steps) {}

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

  /**
   * A session was forgotten (a {@code FORGET_SESSION} control record): state deleted, lists too.
   */
  default void sessionForgotten() {}

  /**
   * Candidates a rule removed from one list.
   *
   * @param rule the rule's name
   * @param variant the variant of the list's session
   * @param removed how many it removed
   */
  default void ruleRemoved(final String rule, final String variant, final int removed) {}

  /** The task was closed (e.g. moved to another instance): its sessions no longer count here. */
  default void taskClosed(final String task) {}
}
