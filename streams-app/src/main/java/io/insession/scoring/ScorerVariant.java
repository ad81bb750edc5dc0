package io.insession.scoring;

import java.util.Objects;

/**
 * One arm of an experiment: a name written into the session state and every list, the scorer that
 * serves its sessions (a GRU bundle or a Java baseline), and its weight among the variants.
 *
 * @param name the variant's name, unique in its set
 * @param weight its share of new sessions relative to the other weights (>= 0)
 * @param scorer the scorer serving it
 */
public record ScorerVariant(String name, int weight, SessionScorer scorer) {
  public ScorerVariant {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(scorer, "scorer");
    if (name.isBlank()) {
      throw new IllegalArgumentException("a variant needs a name");
    }
    if (weight < 0) {
      throw new IllegalArgumentException(
          "the weight of variant '" + name + "' must be >= 0, got " + weight);
    }
  }
}
