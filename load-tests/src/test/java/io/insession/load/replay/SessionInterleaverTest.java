package io.insession.load.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionInterleaverTest {

  private static Map<String, List<String>> sessions(final int count, final int length) {
    final Map<String, List<String>> sessions = new LinkedHashMap<>();
    for (int s = 0; s < count; s++) {
      final List<String> items = new ArrayList<>();
      for (int i = 0; i < length; i++) {
        items.add("s" + s + "i" + i);
      }
      sessions.put("s" + s, items);
    }
    return sessions;
  }

  @Test
  void shouldKeepEachSessionsClickOrder() {
    final SessionInterleaver interleaver = new SessionInterleaver(sessions(50, 7), 10, "t", 1);
    final Map<String, List<ReplayClick>> bySession = new HashMap<>();
    for (int i = 0; i < 350; i++) {
      final ReplayClick click = interleaver.next();
      bySession.computeIfAbsent(click.sessionId(), k -> new ArrayList<>()).add(click);
    }
    bySession.forEach(
        (id, clicks) -> {
          for (int i = 0; i < clicks.size(); i++) {
            assertThat(clicks.get(i).position()).isEqualTo(i);
            assertThat(clicks.get(i).itemId()).endsWith("i" + i);
          }
        });
  }

  @Test
  void shouldInterleaveExactlyConcurrencySessions() {
    final SessionInterleaver interleaver = new SessionInterleaver(sessions(100, 50), 8, "t", 3);
    final List<String> first = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      first.add(interleaver.next().sessionId());
    }
    // 8 sessions of 50 clicks open: 200 clicks cannot finish any, so exactly 8 ids appear
    assertThat(first.stream().distinct()).hasSize(8);
  }

  @Test
  void shouldStartOverWithFreshSessionIdsWhenTheDataRunsOut() {
    final SessionInterleaver interleaver = new SessionInterleaver(sessions(3, 2), 2, "run", 5);
    final List<String> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ids.add(interleaver.next().sessionId());
    }
    assertThat(interleaver.cycles()).isGreaterThanOrEqualTo(2);
    assertThat(ids).contains("run-0-s0", "run-1-s0", "run-2-s0");
    assertThat(ids).allMatch(id -> id.startsWith("run-"));
  }

  @Test
  void shouldGiveTheSameSequenceForTheSameSeed() {
    final SessionInterleaver a = new SessionInterleaver(sessions(20, 5), 4, "t", 9);
    final SessionInterleaver b = new SessionInterleaver(sessions(20, 5), 4, "t", 9);
    for (int i = 0; i < 100; i++) {
      assertThat(a.next()).isEqualTo(b.next());
    }
  }

  @Test
  void shouldRejectNoSessionsAndZeroConcurrency() {
    assertThrows(IllegalArgumentException.class, () -> new SessionInterleaver(Map.of(), 1, "t", 1));
    assertThrows(
        IllegalArgumentException.class, () -> new SessionInterleaver(sessions(1, 1), 0, "t", 1));
  }
}
