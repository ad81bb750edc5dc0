package io.insession.api;

import io.insession.schemas.RecommendationList;
import java.util.Optional;
import java.util.function.Consumer;

/** Where {@link LookupApi} gets the latest list of a session from. */
public interface RecommendationSource extends AutoCloseable {

  /** The latest list emitted for {@code sessionId}, if one is known and not expired. */
  Optional<RecommendationList> latest(String sessionId);

  /** The latest list as the JSON of {@link RecommendationView}; sources may cache it. */
  default Optional<byte[]> latestJson(final String sessionId) {
    return latest(sessionId).map(RecommendationView::toJson);
  }

  /**
   * Registers {@code listener} for every new list of {@code sessionId} that arrives from now on.
   * The listener runs on the source's thread and must not block.
   *
   * @return the subscription; close it when done
   * @throws SessionSubscriptions.TooManySubscribersException when the source serves no more
   *     subscribers
   */
  SessionSubscriptions.Subscription subscribe(
      String sessionId, Consumer<RecommendationList> listener);

  /**
   * Drops what this source holds of {@code sessionId} (its cached list) at once, before the
   * tombstone that forgetting the session writes to the topic arrives.
   */
  void forget(String sessionId);

  /** Whether the source has caught up with its input, and if not, what it waits for. */
  Readiness readiness();

  /**
   * Whether the source still works (liveness); false after an error it cannot recover from, so that
   * the process gets restarted.
   */
  boolean isAlive();

  /** Stops the source; it answers nothing afterwards. */
  @Override
  void close();
}
