package io.insession.trending;

import io.insession.scoring.Candidate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One scope's live trending list, merged over the counting tasks.
 *
 * @param scope {@code all} or {@code category:...} ({@link TrendingScopes})
 * @param asOf the event time the scores are decayed to (null when the list is empty)
 * @param items best first; each score is the item's decayed event count at {@code asOf}
 */
public record Trending(String scope, Instant asOf, List<Candidate> items) {

  public Trending {
    Objects.requireNonNull(scope, "scope");
    items = List.copyOf(items);
  }

  /** No data for {@code scope}. */
  public static Trending empty(final String scope) {
    return new Trending(scope, null, List.of());
  }

  public boolean isEmpty() {
    return items.isEmpty();
  }
}
