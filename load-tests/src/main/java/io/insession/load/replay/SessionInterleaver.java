package io.insession.load.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * Interleaves many recorded sessions into one live stream of clicks.
 *
 * <p>{@code concurrency} sessions are open at any time. Each {@link #next()} picks one of them
 * uniformly at random and emits its next click; a session whose clicks are used up is replaced by
 * the next recorded session. Each session keeps its click order; the recorded gaps are dropped (the
 * SR-GNN files have none): at a global rate of R events/s each open session clicks every {@code
 * concurrency / R} seconds on average (exponentially distributed gaps), which is the time
 * compression. When the recorded sessions run out the generator starts over with new session ids
 * ({@code <tag>-<cycle>-<recorded id>}), so a run of any length never revisits a session.
 */
public final class SessionInterleaver {

  private final List<String> recordedIds;
  private final List<List<String>> recordedItems;
  private final String tag;
  private final Random random;
  private final int[] slotSession;
  private final int[] slotPosition;
  private final String[] slotSessionId;
  private int nextSession;
  private int cycle;

  /**
   * @param sessions recorded sessions: id to item ids in click order (empty sessions are skipped)
   * @param concurrency how many sessions are open at once, >= 1
   * @param tag prefix of every replayed session id (e.g. a run id)
   * @param seed seed of the session choice, for reproducible runs
   */
  public SessionInterleaver(
      final Map<String, List<String>> sessions,
      final int concurrency,
      final String tag,
      final long seed) {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be >= 1: " + concurrency);
    }
    this.recordedIds = new ArrayList<>(sessions.size());
    this.recordedItems = new ArrayList<>(sessions.size());
    sessions.forEach(
        (id, items) -> {
          if (!items.isEmpty()) {
            recordedIds.add(id);
            recordedItems.add(List.copyOf(items));
          }
        });
    if (recordedIds.isEmpty()) {
      throw new IllegalArgumentException("no session with at least one click");
    }
    this.tag = Objects.requireNonNull(tag, "tag");
    this.random = new Random(seed);
    this.slotSession = new int[concurrency];
    this.slotPosition = new int[concurrency];
    this.slotSessionId = new String[concurrency];
    for (int slot = 0; slot < concurrency; slot++) {
      open(slot);
    }
  }

  /** How many sessions are open at once. */
  public int concurrency() {
    return slotSession.length;
  }

  /** How many times the recorded sessions have been started over. */
  public int cycles() {
    return cycle;
  }

  /** The next click of a randomly chosen open session. */
  public ReplayClick next() {
    final int slot = random.nextInt(slotSession.length);
    final List<String> items = recordedItems.get(slotSession[slot]);
    final int position = slotPosition[slot];
    final ReplayClick click = new ReplayClick(slotSessionId[slot], items.get(position), position);
    if (position + 1 < items.size()) {
      slotPosition[slot] = position + 1;
    } else {
      open(slot);
    }
    return click;
  }

  private void open(final int slot) {
    if (nextSession == recordedIds.size()) {
      nextSession = 0;
      cycle++;
    }
    slotSession[slot] = nextSession;
    slotPosition[slot] = 0;
    slotSessionId[slot] = tag + "-" + cycle + "-" + recordedIds.get(nextSession);
    nextSession++;
  }
}
