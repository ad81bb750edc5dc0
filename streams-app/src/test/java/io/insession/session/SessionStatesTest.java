package io.insession.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.insession.avro.AvroSingleObjectSerde;
import io.insession.config.InSessionConfig;
import io.insession.schemas.SessionState;
import io.insession.scoring.ModelInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link SessionStates}: the stored state is bounded in bytes, not only in item count. */
class SessionStatesTest {

  private static final Instant T0 = Instant.parse("2026-11-27T12:00:00Z");
  private static final ModelInfo MODEL = new ModelInfo("gru4rec", "v1");
  private static final InSessionConfig DEFAULTS = InSessionConfig.of(Map.of());
  private static final byte[] HIDDEN = new byte[4 * 100];

  private static int encodedBytes(final SessionState state) {
    return AvroSingleObjectSerde.forType(SessionState.class).serialize("t", state).length;
  }

  /** The largest state the default limits allow: every item and event id at its longest. */
  @Test
  void shouldFitTheLargestStateTheDefaultLimitsAllowWithinTheDefaultByteBound() {
    final int items = DEFAULTS.getInt(InSessionConfig.SESSION_RECENT_ITEMS);
    final int ids = DEFAULTS.getInt(InSessionConfig.SESSION_RECENT_EVENT_IDS);
    final int maxBytes = DEFAULTS.getInt(InSessionConfig.SESSION_STATE_MAX_BYTES);
    SessionState state = SessionStates.start(MODEL, T0);
    for (int i = 0; i < Math.max(items, ids); i++) {
      state =
          SessionStates.remember(
              SessionStates.advance(
                  state,
                  longest(i, DEFAULTS.getInt(InSessionConfig.EVENT_MAX_ITEM_ID_CHARS)),
                  HIDDEN,
                  true,
                  T0,
                  items),
              longest(i, DEFAULTS.getInt(InSessionConfig.EVENT_MAX_EVENT_ID_CHARS)),
              ids);
      // every item event a purchase of another item: the most bought items a session keeps
      state =
          SessionStates.bought(
              state, longest(i, DEFAULTS.getInt(InSessionConfig.EVENT_MAX_ITEM_ID_CHARS)), items);
    }
    assertThat(state.getRecentItems()).hasSize(items);
    assertThat(state.getBoughtItems()).hasSize(items);
    assertThat(SessionStates.maxEncodedBytes(state)).isLessThanOrEqualTo(maxBytes);
    assertThat(SessionStates.bounded(state, maxBytes)).isSameAs(state);
    assertThat(encodedBytes(state)).isLessThanOrEqualTo((int) SessionStates.maxEncodedBytes(state));
  }

  /** Issue 9: 40 views of 25 KB item ids made a state over 1 MB, which the changelog refuses. */
  @Test
  void shouldDropTheOldestItemsUntilTheStateFitsItsByteBound() {
    final int maxBytes = 256 * 1024;
    SessionState state = SessionStates.start(MODEL, T0);
    for (int i = 0; i < 40; i++) {
      state = SessionStates.advance(state, longest(i, 25 * 1024), HIDDEN, true, T0, 50);
    }
    assertThat(encodedBytes(state)).as("over 1 MB").isGreaterThan(1_000_000);

    final SessionState bounded = SessionStates.bounded(state, maxBytes);

    assertThat(encodedBytes(bounded)).isLessThanOrEqualTo(maxBytes);
    assertThat(bounded.getRecentItems())
        .isNotEmpty()
        .isEqualTo(state.getRecentItems().subList(40 - bounded.getRecentItems().size(), 40))
        .as("the newest item is kept")
        .endsWith(state.getRecentItems().get(39));
    assertThat(bounded.getScorerState()).isEqualTo(state.getScorerState());
    assertThat(bounded.getEventCount()).isEqualTo(40);
  }

  @Test
  void shouldRememberEachBoughtItemOnceNewestLastAndBounded() {
    SessionState state = SessionStates.start(MODEL, T0);
    for (final String item : List.of("a", "b", "a", "c", "d")) {
      state = SessionStates.bought(state, item, 3);
    }

    assertThat(state.getBoughtItems()).containsExactly("a", "c", "d");
    // the byte bound drops the oldest recent items first, then the oldest bought items
    final SessionState withItem = SessionStates.advance(state, "r", HIDDEN, true, T0, 50);
    final long oneItem = 5 + 3;
    final SessionState bounded =
        SessionStates.bounded(withItem, SessionStates.maxEncodedBytes(withItem) - 2 * oneItem);
    assertThat(bounded.getRecentItems()).isEmpty();
    assertThat(bounded.getBoughtItems()).containsExactly("c", "d");
  }

  @Test
  void shouldRememberABoundedNumberOfEventIds() {
    SessionState state = SessionStates.start(MODEL, T0);
    final List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      state = SessionStates.remember(state, "e" + i, 3);
      ids.add("e" + i);
    }
    assertThat(state.getRecentEventIds()).containsExactly("e2", "e3", "e4");
    assertThat(SessionStates.hasApplied(state, "e4")).isTrue();
    assertThat(SessionStates.hasApplied(state, "e1")).isFalse();
  }

  @Test
  void shouldCountIdleTimeFromLastSeenAtAndFallBackToLastEventAt() {
    final SessionState old = SessionStates.start(MODEL, T0);
    assertThat(old.getLastSeenAt()).isNull();
    assertThat(SessionStates.isIdle(old, T0.toEpochMilli() + 10, 10)).isFalse();
    assertThat(SessionStates.isIdle(old, T0.toEpochMilli() + 11, 10)).isTrue();

    final SessionState seen = SessionStates.seen(old, T0.toEpochMilli() + 1_000);
    assertThat(SessionStates.isIdle(seen, T0.toEpochMilli() + 1_010, 10)).isFalse();
    assertThat(SessionStates.isIdle(seen, T0.toEpochMilli() + 1_011, 10)).isTrue();
  }

  private static String longest(final int index, final int chars) {
    final String prefix = index + "-";
    return prefix + "x".repeat(chars - prefix.length());
  }
}
