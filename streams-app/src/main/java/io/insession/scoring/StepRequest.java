package io.insession.scoring;

import java.util.List;
import java.util.Objects;

/**
 * One event of one session, as a scorer sees it.
 *
 * @param state the scorer state stored after the session's previous event; empty for a new session
 * @param recentItems the session's recent items before this event, oldest first
 * @param itemId the item of this event
 */
public record StepRequest(byte[] state, List<String> recentItems, String itemId) {
  public StepRequest {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(itemId, "itemId");
    recentItems = List.copyOf(recentItems);
  }
}
