package io.insession.data;

import java.time.Instant;
import java.util.Objects;

/**
 * One click of a session file.
 *
 * @param sessionId the session
 * @param itemId the item clicked
 * @param time when, or {@code null} when the file has no times (SR-GNN splits)
 */
public record Click(String sessionId, String itemId, Instant time) {
  public Click {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(itemId, "itemId");
  }
}
