package io.insession.rules;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What rules may know of a session.
 *
 * @param sessionId the session
 * @param recentItems the session's recent items, oldest first, including the current event's
 * @param boughtItems the items the session purchased (remembered ones), oldest first
 * @param fallback whether the candidates are the scorer's fallback: its model did not know the
 *     event's item (the content route then makes the list content-based)
 */
public record SessionView(
    String sessionId, List<String> recentItems, List<String> boughtItems, boolean fallback) {
  public SessionView {
    recentItems = List.copyOf(recentItems);
    boughtItems = List.copyOf(boughtItems);
  }

  /** A session the model scored. */
  public SessionView(
      final String sessionId, final List<String> recentItems, final List<String> boughtItems) {
    this(sessionId, recentItems, boughtItems, false);
  }

  /** A session with no purchases, scored by the model. */
  public SessionView(final String sessionId, final List<String> recentItems) {
    this(sessionId, recentItems, List.of());
  }

  /** The distinct recent items. */
  public Set<String> seenItems() {
    return Set.copyOf(recentItems);
  }

  /** The distinct items of the last {@code events} recent items (all of them when fewer). */
  public Set<String> lastItems(final int events) {
    final int from = Math.max(0, recentItems.size() - events);
    return new HashSet<>(recentItems.subList(from, recentItems.size()));
  }

  /** The distinct bought items. */
  public Set<String> boughtItemSet() {
    return Set.copyOf(boughtItems);
  }
}
