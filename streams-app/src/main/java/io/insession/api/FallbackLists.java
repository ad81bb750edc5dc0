package io.insession.api;

import io.insession.scoring.Candidate;
import io.insession.trending.Trending;
import io.insession.trending.TrendingLists;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the lookup API serves when a session has no list yet, and what it fills filtered lists up
 * from: the live trending list of a scope when it has data, else the model bundle's frozen
 * popularity list (when this instance has one), else nothing (404).
 *
 * @param trending the live trending lists ({@link TrendingLists#NONE} when trending is off)
 * @param popular the bundle's most popular items, best first (empty when the lookup API has no
 *     bundle)
 * @param length how many items a fallback answer holds ({@code insession.recommendations.count})
 */
public record FallbackLists(TrendingLists trending, List<Candidate> popular, int length) {

  /** Where a fallback answer's items came from (the {@code fallbackSource} field). */
  public static final String TRENDING = "trending";

  /** The frozen popularity list of the bundle. */
  public static final String POPULAR = "popular";

  /** No fallback: a session without a list is answered 404. */
  public static final FallbackLists NONE = new FallbackLists(TrendingLists.NONE, List.of(), 1);

  /** Most items read from a trending list to fill filtered lists up (a list's top.n is less). */
  private static final int MAX_CANDIDATES = 10_000;

  public FallbackLists {
    Objects.requireNonNull(trending, "trending");
    popular = List.copyOf(popular);
    if (length < 1) {
      throw new IllegalArgumentException("length must be at least 1, got " + length);
    }
  }

  /**
   * One fallback list.
   *
   * @param source {@value #TRENDING} or {@value #POPULAR}
   * @param scope the trending scope it was read from ({@code all} for the popularity list)
   * @param asOf the event time the trending scores are decayed to (null for the popularity list)
   * @param items best first, all the source has (the caller cuts and filters)
   */
  public record Fallback(String source, String scope, Instant asOf, List<Candidate> items) {}

  /** The fallback of {@code scope}: its live trending list, else the popularity list, else none. */
  public Optional<Fallback> of(final String scope) {
    final Trending live = trending.top(scope, MAX_CANDIDATES);
    if (!live.isEmpty()) {
      return Optional.of(new Fallback(TRENDING, scope, live.asOf(), live.items()));
    }
    if (!popular.isEmpty()) {
      return Optional.of(new Fallback(POPULAR, "all", null, popular));
    }
    return Optional.empty();
  }
}
