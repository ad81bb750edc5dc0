package io.insession.evaluation;

import io.insession.data.Click;
import io.insession.scoring.ModelBundle;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The items a model can be asked to predict, with their training click counts: the denominator of
 * item coverage and the measure of how popular recommended items are. Immutable.
 */
public final class Catalog {

  private final Map<String, Long> counts;
  private final long maxCount;

  private Catalog(final Map<String, Long> counts) {
    this.counts = Map.copyOf(counts);
    long max = 0;
    for (final long count : this.counts.values()) {
      max = Math.max(max, count);
    }
    this.maxCount = max;
  }

  /** The items of the training sessions, with their click counts. */
  public static Catalog fromTraining(final Map<String, List<Click>> train) {
    final Map<String, Long> counts = new HashMap<>();
    for (final List<Click> session : train.values()) {
      for (final Click click : session) {
        counts.merge(click.itemId(), 1L, Long::sum);
      }
    }
    return new Catalog(counts);
  }

  /** Every item the bundles know, with its training count (the largest where they differ). */
  public static Catalog ofBundles(final List<ModelBundle> bundles) {
    final Map<String, Long> counts = new HashMap<>();
    for (final ModelBundle bundle : bundles) {
      for (int index = 0; index < bundle.numItems(); index++) {
        counts.merge(bundle.itemId(index), bundle.count(index), Math::max);
      }
    }
    return of(counts);
  }

  /** A catalog from click counts by item id (each >= 0). */
  public static Catalog of(final Map<String, Long> counts) {
    Objects.requireNonNull(counts, "counts");
    for (final Map.Entry<String, Long> entry : counts.entrySet()) {
      if (entry.getValue() < 0) {
        throw new IllegalArgumentException(
            "count of '" + entry.getKey() + "' must be >= 0, got " + entry.getValue());
      }
    }
    return new Catalog(counts);
  }

  /** Number of items. */
  public int size() {
    return counts.size();
  }

  public boolean contains(final String itemId) {
    return counts.containsKey(itemId);
  }

  /** Training clicks of the item; 0 when it is not in the catalog. */
  public long count(final String itemId) {
    return counts.getOrDefault(itemId, 0L);
  }

  /** Clicks of the most clicked item. */
  public long maxCount() {
    return maxCount;
  }
}
