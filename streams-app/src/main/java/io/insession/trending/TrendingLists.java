package io.insession.trending;

/** Where live trending lists are read: the topology's global store, or the lookup API's copy. */
@FunctionalInterface
public interface TrendingLists {

  /** No trending data (trending off). */
  TrendingLists NONE = (scope, count) -> Trending.empty(scope);

  /**
   * The best {@code count} items of {@code scope}, merged over every counting task.
   *
   * @return the list, empty when nothing was counted in the scope (yet, or not recently enough)
   */
  Trending top(String scope, int count);
}
