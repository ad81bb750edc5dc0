package io.insession.session;

import io.insession.schemas.SessionState;
import io.insession.scoring.ModelInfo;
import io.insession.scoring.ScorerVariants;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Pure functions on {@link SessionState}: starting, expiring and advancing a session, remembering
 * its recent event ids (so a retry is applied once) and bounding its size in bytes.
 */
public final class SessionStates {

  /** Name of the RocksDB store (and so of its changelog topic) holding session state. */
  public static final String STORE_NAME = "session-state";

  /** The variant of a session when only one is served (the default configuration). */
  public static final String DEFAULT_VARIANT = ScorerVariants.DEFAULT;

  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  private SessionStates() {}

  /**
   * Whether a session last active at {@code lastEventAt} has ended by {@code now}: it has been
   * inactive for more than the gap.
   */
  public static boolean isExpired(final SessionState state, final long nowMs, final long gapMs) {
    return nowMs - state.getLastEventAt().toEpochMilli() > gapMs;
  }

  /**
   * Whether a session has been idle, by the stream's own clock, for more than the gap: {@code
   * nowMs} is wall-clock time and the session's last activity is when the stream last processed one
   * of its events ({@code lastSeenAt}; {@code lastEventAt} for states written before that field
   * existed). No event's own time enters, so one event with a skewed clock cannot end other
   * sessions.
   */
  public static boolean isIdle(final SessionState state, final long nowMs, final long gapMs) {
    final Instant seen =
        state.getLastSeenAt() != null ? state.getLastSeenAt() : state.getLastEventAt();
    return nowMs - seen.toEpochMilli() > gapMs;
  }

  /** The state as processed at {@code nowMs} (wall clock): its idle time starts again. */
  public static SessionState seen(final SessionState state, final long nowMs) {
    return SessionState.newBuilder(state).setLastSeenAt(Instant.ofEpochMilli(nowMs)).build();
  }

  /** Whether the session already applied an event with this id (a retry). */
  public static boolean hasApplied(final SessionState state, final String eventId) {
    return state.getRecentEventIds().contains(eventId);
  }

  /** The state that remembers {@code eventId} as applied, the oldest ids dropped beyond max. */
  public static SessionState remember(
      final SessionState state, final String eventId, final int maxEventIds) {
    return SessionState.newBuilder(state)
        .setRecentEventIds(append(state.getRecentEventIds(), eventId, maxEventIds))
        .build();
  }

  /**
   * An upper bound of the state's Avro encoding in bytes (single-object header included): each
   * string or bytes field at most 3 bytes per UTF-16 char plus a 5-byte length, each number 10.
   */
  public static long maxEncodedBytes(final SessionState state) {
    long bytes = 10 + 5 * 10L + 2 * 10L;
    bytes += stringBytes(state.getModelName());
    bytes += stringBytes(state.getModelVersion());
    bytes += stringBytes(state.getVariant());
    bytes += 5 + state.getScorerState().remaining();
    for (final String item : state.getRecentItems()) {
      bytes += stringBytes(item);
    }
    for (final String id : state.getRecentEventIds()) {
      bytes += stringBytes(id);
    }
    for (final String item : state.getBoughtItems()) {
      bytes += stringBytes(item);
    }
    return bytes;
  }

  /**
   * The state within {@code maxBytes} ({@link #maxEncodedBytes}): the oldest recent items, then the
   * oldest bought items, then the oldest event ids, dropped until it fits. The hidden state and the
   * counters are never dropped.
   */
  public static SessionState bounded(final SessionState state, final long maxBytes) {
    long excess = maxEncodedBytes(state) - maxBytes;
    if (excess <= 0) {
      return state;
    }
    final List<String> items = new ArrayList<>(state.getRecentItems());
    final List<String> ids = new ArrayList<>(state.getRecentEventIds());
    final List<String> bought = new ArrayList<>(state.getBoughtItems());
    int dropItems = 0;
    while (excess > 0 && dropItems < items.size()) {
      excess -= stringBytes(items.get(dropItems++));
    }
    int dropBought = 0;
    while (excess > 0 && dropBought < bought.size()) {
      excess -= stringBytes(bought.get(dropBought++));
    }
    int dropIds = 0;
    while (excess > 0 && dropIds < ids.size()) {
      excess -= stringBytes(ids.get(dropIds++));
    }
    return SessionState.newBuilder(state)
        .setRecentItems(new ArrayList<>(items.subList(dropItems, items.size())))
        .setRecentEventIds(new ArrayList<>(ids.subList(dropIds, ids.size())))
        .setBoughtItems(new ArrayList<>(bought.subList(dropBought, bought.size())))
        .build();
  }

  private static long stringBytes(final String text) {
    return 5 + 3L * text.length();
  }

  /** A new session starting at {@code time}, scored by {@code model}, variant "default". */
  public static SessionState start(final ModelInfo model, final Instant time) {
    return start(DEFAULT_VARIANT, model, time);
  }

  /** A new session starting at {@code time}, in {@code variant}, scored by {@code model}. */
  public static SessionState start(
      final String variant, final ModelInfo model, final Instant time) {
    return SessionState.newBuilder()
        .setModelName(model.name())
        .setModelVersion(model.version())
        .setVariant(variant)
        .setScorerState(EMPTY)
        .setRecentItems(List.of())
        .setEventCount(0)
        .setKnownItemCount(0)
        .setStartedAt(time)
        .setLastEventAt(time)
        .setLastSeenAt(null)
        .setRecentEventIds(List.of())
        .setBoughtItems(List.of())
        .build();
  }

  /**
   * The state to continue from: a new session when there is none or it expired. A state written by
   * another model version is kept as it is (see {@link #writtenBy}, {@link #reencoded}).
   */
  public static SessionState resume(
      final SessionState stored, final ModelInfo model, final Instant time, final long gapMs) {
    return resume(stored, DEFAULT_VARIANT, model, time, gapMs);
  }

  /**
   * The state to continue from in {@code variant}, scored by {@code model}: a new session when
   * there is none or it expired; the variant name replaced when the stored one differs. A state
   * written by another model (name or version) keeps its hidden state and says which model wrote
   * it: the topology re-encodes it with {@code model} before its next item event ({@link
   * #writtenBy}, {@link #reencoded}), so the session stays warm instead of starting cold.
   */
  public static SessionState resume(
      final SessionState stored,
      final String variant,
      final ModelInfo model,
      final Instant time,
      final long gapMs) {
    if (stored == null || isExpired(stored, time.toEpochMilli(), gapMs)) {
      return start(variant, model, time);
    }
    return stored.getVariant().equals(variant)
        ? stored
        : SessionState.newBuilder(stored).setVariant(variant).build();
  }

  /** Whether {@code model} (name and version) wrote the state's hidden state. */
  public static boolean writtenBy(final SessionState state, final ModelInfo model) {
    return state.getModelName().equals(model.name())
        && state.getModelVersion().equals(model.version());
  }

  /**
   * The state with the hidden state {@code model} computed anew from its recent items: it names
   * {@code model} as its writer and counts {@code knownItems} (how many of those items the model
   * knew) as its known items; the items, counters and event ids stay.
   */
  public static SessionState reencoded(
      final SessionState state,
      final ModelInfo model,
      final byte[] scorerState,
      final int knownItems) {
    return SessionState.newBuilder(state)
        .setModelName(model.name())
        .setModelVersion(model.version())
        .setScorerState(ByteBuffer.wrap(scorerState))
        .setKnownItemCount(knownItems)
        .build();
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

  /**
   * The state after a purchase of {@code itemId}: the item is the newest of the bought items (each
   * item once), the oldest dropped beyond {@code maxBoughtItems}.
   */
  public static SessionState bought(
      final SessionState state, final String itemId, final int maxBoughtItems) {
    final List<String> others = new ArrayList<>(state.getBoughtItems());
    others.remove(itemId);
    return SessionState.newBuilder(state)
        .setBoughtItems(append(others, itemId, maxBoughtItems))
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
