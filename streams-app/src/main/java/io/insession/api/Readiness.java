package io.insession.api;

import java.util.Map;
import java.util.Objects;

/**
 * Whether a {@link RecommendationSource} can answer yet, and if not, what it waits for.
 *
 * @param ready true once the source has caught up
 * @param waitingFor a human-readable reason when not ready, empty when ready
 * @param recordsBehind per partition, how many records are left until the end offsets seen at start
 *     (only partitions still behind; empty when unknown or ready)
 */
public record Readiness(boolean ready, String waitingFor, Map<Integer, Long> recordsBehind) {

  /** Copies the map. */
  public Readiness {
    Objects.requireNonNull(waitingFor, "waitingFor");
    recordsBehind = Map.copyOf(Objects.requireNonNull(recordsBehind, "recordsBehind"));
  }

  /** The ready state. */
  public static Readiness caughtUp() {
    return new Readiness(true, "", Map.of());
  }

  /** Not ready, for the given reason. */
  public static Readiness notReady(final String reason) {
    return new Readiness(false, reason, Map.of());
  }

  /** Not ready, still reading; {@code behind} says how far from the target each partition is. */
  public static Readiness catchingUp(final String reason, final Map<Integer, Long> behind) {
    return new Readiness(false, reason, behind);
  }
}
