package io.insession.trending;

import io.insession.schemas.TrendingItem;
import io.insession.schemas.TrendingList;
import io.insession.scoring.Candidate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges the counting tasks' shares of one scope into the scope's list. The items are partitioned
 * by item id before they are counted, so the shares hold disjoint items and each share holds its
 * task's best; the scope's best {@code n} are therefore the best {@code n} of the union, exactly.
 * The shares are decayed to the newest {@code asOf} among them first (a quiet task's share is as
 * old as its last event). Should an item appear in two shares (a share left from before the
 * partition count changed), its scores add up. O(shares · topN) per merge.
 */
public final class TrendingMerge {

  /** Best first; equal scores by item id. */
  static final Comparator<Map.Entry<String, Double>> BEST_FIRST =
      Map.Entry.<String, Double>comparingByValue()
          .reversed()
          .thenComparing(Map.Entry.comparingByKey());

  private TrendingMerge() {}

  /** The best {@code count} of {@code scores} as candidates, best first. */
  static List<Candidate> best(final Map<String, Double> scores, final int count) {
    final List<Map.Entry<String, Double>> entries = new ArrayList<>(scores.entrySet());
    entries.sort(BEST_FIRST);
    final List<Candidate> items = new ArrayList<>(Math.min(count, entries.size()));
    for (final Map.Entry<String, Double> entry :
        entries.subList(0, Math.min(count, entries.size()))) {
      items.add(new Candidate(entry.getKey(), entry.getValue().floatValue()));
    }
    return items;
  }

  /**
   * The best {@code count} items of {@code scope} over {@code shares} (shares of other scopes are
   * ignored).
   */
  public static Trending merge(
      final String scope, final Iterable<TrendingList> shares, final int count) {
    long asOf = Long.MIN_VALUE;
    final List<TrendingList> mine = new ArrayList<>();
    for (final TrendingList share : shares) {
      if (share != null && scope.equals(share.getScope()) && !share.getItems().isEmpty()) {
        mine.add(share);
        asOf = Math.max(asOf, share.getAsOf().toEpochMilli());
      }
    }
    if (mine.isEmpty()) {
      return Trending.empty(scope);
    }
    final Map<String, Double> scores = new HashMap<>();
    for (final TrendingList share : mine) {
      final long shareAsOf = share.getAsOf().toEpochMilli();
      for (final TrendingItem item : share.getItems()) {
        scores.merge(
            item.getItemId(),
            Decay.at(item.getScore(), shareAsOf, asOf, share.getHalfLifeMs()),
            Double::sum);
      }
    }
    return new Trending(scope, Instant.ofEpochMilli(asOf), best(scores, count));
  }
}
