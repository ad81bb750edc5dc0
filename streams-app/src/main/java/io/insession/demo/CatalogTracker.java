package io.insession.demo;

import io.insession.schemas.RecommendationList;
import io.insession.schemas.ScoredItem;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the demo's catalogue part shows, from the lists as they arrive: how often each item was
 * recommended (to pick the one that sells out), whether the sold-out item appears in any list of an
 * event sent after the streams app's catalogue store had the update, and the lists that carry the
 * new item.
 */
public final class CatalogTracker {

  private final Map<String, Integer> recommended = new HashMap<>();
  private String soldOut;
  private Instant soldOutAt;
  private int soldOutBefore;
  private int soldOutAfter;
  private String newItem;
  private Instant listedAt;
  private int withNewItem;
  private int bestRank = Integer.MAX_VALUE;
  private String viewerSession;
  private List<String> viewerList;

  /** The item recommended most so far (empty before any list). */
  public synchronized Optional<String> mostRecommended() {
    return recommended.entrySet().stream()
        .max(
            Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
        .map(Map.Entry::getKey);
  }

  /** How many lists carried {@code itemId} so far. */
  public synchronized int listsWith(final String itemId) {
    return recommended.getOrDefault(itemId, 0);
  }

  /** {@code itemId} sold out; the streams app's store had it at {@code at}. */
  public synchronized void soldOut(final String itemId, final Instant at) {
    soldOut = itemId;
    soldOutAt = at;
    soldOutBefore = recommended.getOrDefault(itemId, 0);
  }

  /** {@code itemId} was listed; the streams app's store had it at {@code at}. */
  public synchronized void listed(final String itemId, final Instant at) {
    newItem = itemId;
    listedAt = at;
  }

  /** The lists of {@code session} are the ones a viewer of the new item got. */
  public synchronized void viewerOfNewItem(final String session) {
    viewerSession = session;
  }

  /**
   * Records a list.
   *
   * @return a line to show after the list's, when there is something to say about it
   */
  synchronized Optional<String> seen(final RecommendationList list) {
    final List<String> ids = list.getItems().stream().map(ScoredItem::getItemId).toList();
    for (final String id : ids) {
      recommended.merge(id, 1, Integer::sum);
    }
    // an event sent after the store had the update is ranked after it too
    if (soldOut != null && ids.contains(soldOut) && list.getTriggerEventTime().isAfter(soldOutAt)) {
      soldOutAfter++;
    }
    if (list.getSessionId().equals(viewerSession)) {
      viewerList = ids;
      return Optional.of(
          "   ↳ a session viewed "
              + newItem
              + ", which the model does not know: a content-based list of alike items, not the"
              + " popular ones");
    }
    final int rank = newItem == null ? -1 : ids.indexOf(newItem);
    if (rank >= 0 && listedAt != null) {
      withNewItem++;
      bestRank = Math.min(bestRank, rank + 1);
      if (withNewItem == 1) {
        return Optional.of(
            String.format(
                Locale.ROOT,
                "   ↳ first list with the new item %s (rank %d), %d ms after it was listed",
                newItem,
                rank + 1,
                Math.max(0, list.getEmittedAt().toEpochMilli() - listedAt.toEpochMilli())));
      }
    }
    return Optional.empty();
  }

  /** Whether the sold-out item stayed out of every later list and the new item was recommended. */
  public synchronized boolean shown() {
    return soldOut != null && soldOutAfter == 0 && withNewItem > 0 && viewerList != null;
  }

  /** Whether {@code session} is the demo's viewer of the new item. */
  public synchronized boolean isViewer(final String session) {
    return session.equals(viewerSession);
  }

  private static String shortened(final List<String> ids) {
    final int shown = 5;
    return ids.size() <= shown
        ? ids.toString()
        : "[" + String.join(", ", ids.subList(0, shown)) + ", …]";
  }

  /** The summary lines. */
  public synchronized String summary() {
    if (soldOut == null) {
      return "Catalogue (SYNTHETIC): nothing changed during the replay.";
    }
    return String.format(
        Locale.ROOT,
        "Catalogue (SYNTHETIC): %s sold out halfway: in %d lists before, %d after.%n"
            + "New item %s (not in the model) listed halfway: in %d lists after, best rank %s;"
            + " the session that viewed it got %s.",
        soldOut,
        soldOutBefore,
        soldOutAfter,
        newItem,
        withNewItem,
        withNewItem == 0 ? "-" : Integer.toString(bestRank),
        viewerList == null ? "no list" : shortened(viewerList));
  }
}
