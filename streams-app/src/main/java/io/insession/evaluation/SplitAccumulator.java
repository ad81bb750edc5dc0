package io.insession.evaluation;

import io.insession.evaluation.EvaluationReport.CutoffMetrics;
import io.insession.scoring.Candidate;
import java.util.List;

/**
 * One model's sums over all predictions and, apart, over the repeat targets (the target already
 * occurs earlier in the session) and the explore targets (all the others).
 */
final class SplitAccumulator {

  private final MetricsAccumulator overall;
  private final MetricsAccumulator repeat;
  private final MetricsAccumulator explore;

  SplitAccumulator(final List<Integer> cutoffs, final Catalog catalog) {
    this.overall = new MetricsAccumulator(cutoffs, catalog);
    this.repeat = new MetricsAccumulator(cutoffs, catalog);
    this.explore = new MetricsAccumulator(cutoffs, catalog);
  }

  /** One prediction: the ranked list, the true next item and whether it is a repeat target. */
  void add(final List<Candidate> ranked, final String target, final boolean repeatTarget) {
    overall.add(ranked, target);
    (repeatTarget ? repeat : explore).add(ranked, target);
  }

  void merge(final SplitAccumulator other) {
    overall.merge(other.overall);
    repeat.merge(other.repeat);
    explore.merge(other.explore);
  }

  long predictions() {
    return overall.predictions();
  }

  List<CutoffMetrics> overall() {
    return overall.result();
  }

  List<CutoffMetrics> repeat() {
    return repeat.result();
  }

  List<CutoffMetrics> explore() {
    return explore.result();
  }
}
