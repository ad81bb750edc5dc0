package io.insession.demo;

import io.insession.data.Click;
import io.insession.scoring.SessionScorer;
import io.insession.scoring.StepRequest;
import io.insession.scoring.StepResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * The cost of re-encoding sessions on a scorer, measured the way {@code MicroBatch.reencode} does
 * the work: from a zero state, step k advances every session by its k-th recent item, one {@code
 * stepAll} call per step. Each session alone (one session per round, as at a low event rate) and
 * all sessions together (one round); the median of {@value #REPEATS} repetitions of each. A figure
 * for people, printed by the demo's roll-out; nothing depends on it.
 */
final class ReencodingCost {

  private static final int REPEATS = 5;

  private ReencodingCost() {}

  /**
   * Measures re-encoding {@code sessions}' items (at most {@code recentItems} each, the latest) on
   * {@code scorer}.
   *
   * @return a line with the cost per session, alone and together
   */
  static String measure(
      final SessionScorer scorer, final Collection<List<Click>> sessions, final int recentItems) {
    final List<List<String>> items = new ArrayList<>();
    for (final List<Click> clicks : sessions) {
      final List<String> ids = clicks.stream().map(Click::itemId).toList();
      items.add(ids.subList(Math.max(0, ids.size() - recentItems), ids.size()));
    }
    if (items.isEmpty()) {
      throw new IllegalArgumentException("no sessions to re-encode");
    }
    final long[] alone = new long[REPEATS];
    final long[] together = new long[REPEATS];
    for (int r = 0; r < REPEATS; r++) {
      long sum = 0;
      for (final List<String> session : items) {
        sum += reencode(scorer, List.of(session));
      }
      alone[r] = sum;
      together[r] = reencode(scorer, items);
    }
    final double steps = items.stream().mapToInt(List::size).average().orElse(0);
    return String.format(
        Locale.ROOT,
        "Re-encoding cost on %s %s (%d replayed sessions, %.1f items each on average, median of %d):"
            + " %.3f ms per session alone, %.3f ms per session all together",
        scorer.model().name(),
        scorer.model().version(),
        items.size(),
        steps,
        REPEATS,
        median(alone) / 1e6 / items.size(),
        median(together) / 1e6 / items.size());
  }

  /** Re-encodes {@code sessions} together; returns the nanoseconds it took. */
  private static long reencode(final SessionScorer scorer, final List<List<String>> sessions) {
    final long start = System.nanoTime();
    final byte[][] states = new byte[sessions.size()][];
    Arrays.fill(states, new byte[0]);
    for (int step = 0; ; step++) {
      final List<StepRequest> requests = new ArrayList<>();
      final List<Integer> which = new ArrayList<>();
      for (int i = 0; i < sessions.size(); i++) {
        final List<String> session = sessions.get(i);
        if (step < session.size()) {
          requests.add(new StepRequest(states[i], session.subList(0, step), session.get(step)));
          which.add(i);
        }
      }
      if (requests.isEmpty()) {
        return System.nanoTime() - start;
      }
      final List<StepResult> results = scorer.stepAll(requests);
      for (int j = 0; j < results.size(); j++) {
        states[which.get(j)] = results.get(j).state();
      }
    }
  }

  private static double median(final long[] values) {
    final long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
