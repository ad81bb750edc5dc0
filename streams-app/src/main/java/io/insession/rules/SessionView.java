package io.insession.rules;

import java.util.List;
import java.util.Set;

/**
 * What rules may know of a session.
 *
 * @param sessionId the session
 * @param recentItems the session's recent items, oldest first, including the current event's
 */
public record SessionView(String sessionId, List<String> recentItems) {
  public SessionView {
    recentItems = List.copyOf(recentItems);
  }

  /** The distinct recent items. */
  public Set<String> seenItems() {
    return Set.copyOf(recentItems);
  }
}
