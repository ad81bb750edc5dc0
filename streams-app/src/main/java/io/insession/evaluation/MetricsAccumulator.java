package io.insession.evaluation;

import io.insession.evaluation.EvaluationReport.CutoffMetrics;
import io.insession.scoring.Candidate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Sums of one model's metrics over a share of the predictions. Everything is kept as integers
 * (predictions per rank, summed click counts, item sets), so merging shares in any order gives
 * exactly the same figures.
 */
final class MetricsAccumulator {

  private final List<Integer> cutoffs;
  private final Catalog catalog;
  private final long[] rankCounts;
  private final long[] slots;
  private final long[] popularitySums;
  private final List<Set<String>> recommended;
  private long predictions;

  MetricsAccumulator(final List<Integer> cutoffs, final Catalog catalog) {
    this.cutoffs = List.copyOf(cutoffs);
    this.catalog = catalog;
    final int maxK = this.cutoffs.get(this.cutoffs.size() - 1);
    this.rankCounts = new long[maxK + 1];
    this.slots = new long[this.cutoffs.size()];
    this.popularitySums = new long[this.cutoffs.size()];
    this.recommended = new ArrayList<>();
    for (int c = 0; c < this.cutoffs.size(); c++) {
      recommended.add(new HashSet<>());
    }
  }

  /** One prediction: the ranked list (best first) and the true next item. */
  void add(final List<Candidate> ranked, final String target) {
    predictions++;
    final int rank = Ranking.conservativeRank(ranked, target);
    if (rank != Ranking.MISS && rank < rankCounts.length) {
      rankCounts[rank]++;
    }
    for (int c = 0; c < cutoffs.size(); c++) {
      final int k = Math.min(cutoffs.get(c), ranked.size());
      final Set<String> items = recommended.get(c);
      for (int i = 0; i < k; i++) {
        final String item = ranked.get(i).itemId();
        popularitySums[c] += catalog.count(item);
        if (catalog.contains(item)) {
          items.add(item);
        }
      }
      slots[c] += k;
    }
  }

  /** Adds another share's sums to this one. */
  void merge(final MetricsAccumulator other) {
    predictions += other.predictions;
    for (int r = 0; r < rankCounts.length; r++) {
      rankCounts[r] += other.rankCounts[r];
    }
    for (int c = 0; c < cutoffs.size(); c++) {
      slots[c] += other.slots[c];
      popularitySums[c] += other.popularitySums[c];
      recommended.get(c).addAll(other.recommended.get(c));
    }
  }

  long predictions() {
    return predictions;
  }

  List<CutoffMetrics> result() {
    final List<CutoffMetrics> metrics = new ArrayList<>(cutoffs.size());
    for (int c = 0; c < cutoffs.size(); c++) {
      final int k = cutoffs.get(c);
      long hits = 0;
      double reciprocal = 0;
      for (int r = 1; r <= k; r++) {
        hits += rankCounts[r];
        reciprocal += rankCounts[r] / (double) r;
      }
      metrics.add(
          new CutoffMetrics(
              k,
              hits,
              ratio(hits, predictions),
              predictions == 0 ? 0 : reciprocal / predictions,
              ratio(recommended.get(c).size(), catalog.size()),
              slots[c] == 0 || catalog.maxCount() == 0
                  ? 0
                  : popularitySums[c] / ((double) slots[c] * catalog.maxCount())));
    }
    return metrics;
  }

  private static double ratio(final long part, final long whole) {
    return whole == 0 ? 0 : part / (double) whole;
  }
}
