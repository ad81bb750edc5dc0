package io.insession.session;

import io.insession.schemas.SessionState;
import io.insession.scoring.ModelInfo;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Pure functions on {@link SessionState}: starting, expiring and advancing a session. */
public final class SessionStates {

  /** Name of the RocksDB store (and so of its changelog topic) holding session state. */
  public static final String STORE_NAME = "session-state";

  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  private SessionStates() {}

  /**
   * Whether a session last active at {@code lastEventAt} has ended by {@code now}: it has been
   * inactive for more than the gap.
   */
  public static boolean isExpired(final SessionState state, final long nowMs, final long gapMs) {
    return nowMs - state.getLastEventAt().toEpochMilli() > gapMs;
  }

  /** A new session starting at {@code time}, scored by {@code model}. */
  public static SessionState start(final ModelInfo model, final Instant time) {
    return SessionState.newBuilder()
        .setModelName(model.name())
        .setModelVersion(model.version())
        .setVariant("default")
        .setScorerState(EMPTY)
        .setRecentItems(List.of())
        .setEventCount(0)
        .setKnownItemCount(0)
        .setStartedAt(time)
        .setLastEventAt(time)
        .build();
  }

  /**
   * The state to continue from: a new session when there is none or it expired; the scorer state
   * reset (items kept) when it was written by another model version.
   */
  public static SessionState resume(
      final SessionState stored, final ModelInfo model, final Instant time, final long gapMs) {
    if (stored == null || isExpired(stored, time.toEpochMilli(), gapMs)) {
      return start(model, time);
    }
    if (!stored.getModelName().equals(model.name())
        || !stored.getModelVersion().equals(model.version())) {
      return SessionState.newBuilder(stored)
          .setModelName(model.name())
          .setModelVersion(model.version())
          .setScorerState(EMPTY)
          .setKnownItemCount(0)
          .build();
    }
    return stored;
  }

  /** The scorer state as bytes (empty for a new session). */
  public static byte[] scorerState(final SessionState state) {
    final ByteBuffer buffer = state.getScorerState().duplicate();
    final byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  /** The state after an event that only keeps the session alive. */
  public static SessionState touch(final SessionState state, final Instant time) {
    return SessionState.newBuilder(state)
        .setEventCount(state.getEventCount() + 1)
        .setLastEventAt(latest(state.getLastEventAt(), time))
        .build();
  }

  /** The state after an item event the scorer has stepped. */
  public static SessionState advance(
      final SessionState state,
      final String itemId,
      final byte[] scorerState,
      final boolean itemKnown,
      final Instant time,
      final int maxRecentItems) {
    return SessionState.newBuilder(state)
        .setScorerState(ByteBuffer.wrap(scorerState))
        .setRecentItems(append(state.getRecentItems(), itemId, maxRecentItems))
        .setEventCount(state.getEventCount() + 1)
        .setKnownItemCount(state.getKnownItemCount() + (itemKnown ? 1 : 0))
        .setLastEventAt(latest(state.getLastEventAt(), time))
        .build();
  }

  /** {@code items} with {@code item} appended, the oldest dropped beyond {@code max}. */
  public static List<String> append(final List<String> items, final String item, final int max) {
    final List<String> next = new ArrayList<>(Math.min(items.size() + 1, max));
    final int from = Math.max(0, items.size() + 1 - max);
    for (int i = from; i < items.size(); i++) {
      next.add(items.get(i));
    }
    next.add(item);
    return next;
  }

  private static Instant latest(final Instant a, final Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
