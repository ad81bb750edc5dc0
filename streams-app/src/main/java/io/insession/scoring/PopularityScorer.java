package io.insession.scoring;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The stateless baseline: every session gets the items clicked most in training, whatever it did.
 * It is the yardstick a session model has to beat and the cold-start fallback of {@link
 * OnnxGruScorer}.
 *
 * <p>Scores are each item's share of all training clicks ({@code count / total}, in [0, 1]), so
 * that they compare across models and stay exact for large counts; ties are broken by model index
 * (from a bundle) or by item id (from a count map). The state is always empty.
 */
public final class PopularityScorer implements SessionScorer {

  private static final byte[] NO_STATE = new byte[0];

  private final ModelInfo model;
  private final List<Candidate> ranked;
  private final Set<String> known;
  private final int listSize;

  private PopularityScorer(
      final ModelInfo model, final List<Candidate> ranked, final int listSize) {
    if (listSize < 0) {
      throw new IllegalArgumentException("listSize must be >= 0, got " + listSize);
    }
    this.model = Objects.requireNonNull(model, "model");
    this.ranked = List.copyOf(ranked);
    this.known = new HashSet<>();
    for (final Candidate candidate : ranked) {
      known.add(candidate.itemId());
    }
    this.listSize = listSize;
  }

  /**
   * Popularity from a bundle's items.tsv counts; lists of {@code top_k} items; reported as model
   * {@code <bundle name>-popularity} with the bundle's version.
   */
  public static PopularityScorer fromBundle(final ModelBundle bundle) {
    final long total = bundle.totalCount();
    final List<Candidate> ranked = new ArrayList<>(bundle.numItems());
    for (final PopularItem item : bundle.mostPopular(bundle.numItems())) {
      ranked.add(new Candidate(item.itemId(), share(item.count(), total)));
    }
    return new PopularityScorer(
        new ModelInfo(bundle.name() + "-popularity", bundle.version()), ranked, bundle.topK());
  }

  /**
   * Popularity from click counts by item id.
   *
   * @param model how lists from this scorer are labelled
   * @param counts clicks per item id (>= 0)
   * @param listSize candidates per {@link #step}
   */
  public static PopularityScorer fromCounts(
      final ModelInfo model, final Map<String, Long> counts, final int listSize) {
    long total = 0;
    for (final Map.Entry<String, Long> entry : counts.entrySet()) {
      if (entry.getValue() < 0) {
        throw new IllegalArgumentException(
            "count of '" + entry.getKey() + "' must be >= 0, got " + entry.getValue());
      }
      total += entry.getValue();
    }
    final long sum = total;
    final List<Candidate> ranked =
        counts.entrySet().stream()
            .sorted(
                Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                    .thenComparing(Map.Entry.comparingByKey()))
            .map(e -> new Candidate(e.getKey(), share(e.getValue(), sum)))
            .toList();
    return new PopularityScorer(model, ranked, listSize);
  }

  @Override
  public ModelInfo model() {
    return model;
  }

  /** The same popular list for every event; the state stays empty. */
  @Override
  public StepResult step(final StepRequest request) {
    return new StepResult(NO_STATE, fallback(listSize), known.contains(request.itemId()));
  }

  /** The {@code count} most popular items (fewer when fewer are known). */
  @Override
  public List<Candidate> fallback(final int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, got " + count);
    }
    return ranked.subList(0, Math.min(count, ranked.size()));
  }

  /** Nothing to release. */
  @Override
  public void close() {
    // no native resources
  }

  private static float share(final long count, final long total) {
    return total == 0 ? 0f : (float) ((double) count / total);
  }
}
