package io.insession.scoring.baseline;

import io.insession.data.Click;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Training sessions as dense integer data for the neighbourhood baselines: an item vocabulary,
 * every session's distinct items, and for each item the sessions containing it, most recent first.
 *
 * <p>Sessions are ordered by recency: when every session id is an integer (the SR-GNN splits), a
 * larger id is more recent; otherwise the file order of the map is the time order. Session index
 * {@code s} is the {@code s}-th oldest session, so a larger index is more recent. Immutable once
 * built, so it is safe to share between threads.
 */
final class TrainingIndex {

  private final Map<String, Integer> itemIndex;
  private final String[] itemIds;
  private final long[] clickCounts;
  private final int[][] sessionItems;
  private final int[][] itemSessions;

  private TrainingIndex(
      final Map<String, Integer> itemIndex,
      final String[] itemIds,
      final long[] clickCounts,
      final int[][] sessionItems,
      final int[][] itemSessions) {
    this.itemIndex = itemIndex;
    this.itemIds = itemIds;
    this.clickCounts = clickCounts;
    this.sessionItems = sessionItems;
    this.itemSessions = itemSessions;
  }

  /** Indexes training sessions (session id to its clicks in order). */
  static TrainingIndex build(final Map<String, List<Click>> train) {
    Objects.requireNonNull(train, "train");
    final List<String> sessionIds = byRecency(train.keySet());
    final Map<String, Integer> itemIndex = new HashMap<>();
    final List<String> itemIds = new ArrayList<>();
    final List<Long> counts = new ArrayList<>();
    final int[][] sessionItems = new int[sessionIds.size()][];
    for (int s = 0; s < sessionIds.size(); s++) {
      final Set<Integer> distinct = new LinkedHashSet<>();
      for (final Click click : train.get(sessionIds.get(s))) {
        final Integer known = itemIndex.get(click.itemId());
        final int item;
        if (known == null) {
          item = itemIds.size();
          itemIndex.put(click.itemId(), item);
          itemIds.add(click.itemId());
          counts.add(0L);
        } else {
          item = known;
        }
        counts.set(item, counts.get(item) + 1);
        distinct.add(item);
      }
      sessionItems[s] = distinct.stream().mapToInt(Integer::intValue).toArray();
    }
    final int[] sizes = new int[itemIds.size()];
    for (final int[] items : sessionItems) {
      for (final int item : items) {
        sizes[item]++;
      }
    }
    final int[][] itemSessions = new int[itemIds.size()][];
    for (int i = 0; i < sizes.length; i++) {
      itemSessions[i] = new int[sizes[i]];
    }
    final int[] fill = new int[itemIds.size()];
    // newest session first in every item's list
    for (int s = sessionItems.length - 1; s >= 0; s--) {
      for (final int item : sessionItems[s]) {
        itemSessions[item][fill[item]++] = s;
      }
    }
    final long[] clickCounts = counts.stream().mapToLong(Long::longValue).toArray();
    return new TrainingIndex(
        Map.copyOf(itemIndex),
        itemIds.toArray(new String[0]),
        clickCounts,
        sessionItems,
        itemSessions);
  }

  /** Session ids oldest first: numerically when all are integers, else in the given order. */
  static List<String> byRecency(final Set<String> sessionIds) {
    final List<String> ordered = new ArrayList<>(sessionIds);
    for (final String id : ordered) {
      if (!isInteger(id)) {
        return ordered;
      }
    }
    ordered.sort(Comparator.comparing(BigInteger::new));
    return ordered;
  }

  private static boolean isInteger(final String text) {
    if (text.isEmpty() || text.length() > 30) {
      return false;
    }
    final int start = text.charAt(0) == '-' ? 1 : 0;
    if (start == text.length()) {
      return false;
    }
    for (int i = start; i < text.length(); i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  /** The item's index, or -1 when it never occurs in training. */
  int indexOf(final String itemId) {
    final Integer index = itemIndex.get(itemId);
    return index == null ? -1 : index;
  }

  String itemId(final int item) {
    return itemIds[item];
  }

  int numItems() {
    return itemIds.length;
  }

  int numSessions() {
    return sessionItems.length;
  }

  /** Training clicks of the item. */
  long clickCount(final int item) {
    return clickCounts[item];
  }

  /** Training clicks per item id. */
  Map<String, Long> clickCounts() {
    final Map<String, Long> counts = new HashMap<>(itemIds.length * 2);
    for (int i = 0; i < itemIds.length; i++) {
      counts.put(itemIds[i], clickCounts[i]);
    }
    return counts;
  }

  /** The distinct items of session {@code s}, in first-click order (do not modify). */
  int[] sessionItems(final int session) {
    return sessionItems[session];
  }

  /** The sessions containing the item, most recent first (do not modify). */
  int[] itemSessions(final int item) {
    return itemSessions[item];
  }

  @Override
  public String toString() {
    return "TrainingIndex["
        + numSessions()
        + " sessions, "
        + numItems()
        + " items, "
        + Arrays.stream(clickCounts).sum()
        + " clicks]";
  }
}
