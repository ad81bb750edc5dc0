package io.insession.evaluation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of an offline next-item evaluation: the data, then one result per model. Renders as a
 * terminal table ({@link ReportTable}) or JSON ({@link #toJson}).
 *
 * @param dataset what was evaluated
 * @param cutoffs the cut-offs K of every metric list, ascending
 * @param models one result per model, in the order they were given
 */
public record EvaluationReport(Dataset dataset, List<Integer> cutoffs, List<ModelResult> models) {

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public EvaluationReport {
    Objects.requireNonNull(dataset, "dataset");
    cutoffs = List.copyOf(cutoffs);
    models = List.copyOf(models);
  }

  /**
   * The test data.
   *
   * @param name the label given in the options
   * @param sessions test sessions
   * @param events test clicks
   * @param predictions next-item predictions: every click but the last of each session
   * @param unknownTargets predictions whose target is not in the catalog (always misses)
   * @param catalogItems items of the catalog (training items)
   * @param maxRecentItems recent items a session remembers
   * @param repeatTargets predictions whose target already occurs earlier in the session (in the
   *     clicks up to and including the current one, however long ago): the repeat targets; the
   *     others are explore targets
   */
  public record Dataset(
      String name,
      long sessions,
      long events,
      long predictions,
      long unknownTargets,
      int catalogItems,
      int maxRecentItems,
      long repeatTargets) {

    /** Repeat targets / predictions (0 without predictions). */
    public double repeatShare() {
      return predictions == 0 ? 0 : repeatTargets / (double) predictions;
    }
  }

  /**
   * One model's figures.
   *
   * @param name the label of the model in this report
   * @param modelName the scorer's model name
   * @param modelVersion the scorer's model version
   * @param protocol the field's protocol: the scorer's candidates as they are, over all predictions
   * @param repeat the same over the repeat targets only (see {@link Dataset#repeatTargets})
   * @param explore the same over the explore targets only (all the others)
   * @param served the served lists under each seen-items option measured, in the order asked (empty
   *     when none)
   * @param fallbackSteps steps whose item the model did not know (it answered with its fallback)
   * @param seconds wall time of the run (stepping, rules and metrics)
   * @param predictionsPerSecond predictions / seconds
   */
  public record ModelResult(
      String name,
      String modelName,
      String modelVersion,
      List<CutoffMetrics> protocol,
      List<CutoffMetrics> repeat,
      List<CutoffMetrics> explore,
      List<Served> served,
      long fallbackSteps,
      double seconds,
      double predictionsPerSecond) {
    public ModelResult {
      protocol = List.copyOf(protocol);
      repeat = List.copyOf(repeat);
      explore = List.copyOf(explore);
      served = List.copyOf(served);
    }
  }

  /**
   * The figures of the lists served under one seen-items option: the scorer's candidates after the
   * rule, cut to the largest cut-off (as the topology serves them).
   *
   * @param excludeSeen the option, as {@code insession.rules.exclude.seen} spells it
   * @param overall over all predictions
   * @param repeat over the repeat targets
   * @param explore over the explore targets
   */
  public record Served(
      String excludeSeen,
      List<CutoffMetrics> overall,
      List<CutoffMetrics> repeat,
      List<CutoffMetrics> explore) {
    public Served {
      Objects.requireNonNull(excludeSeen, "excludeSeen");
      overall = List.copyOf(overall);
      repeat = List.copyOf(repeat);
      explore = List.copyOf(explore);
    }
  }

  /**
   * Metrics at one cut-off, averaged over all predictions.
   *
   * @param k the cut-off
   * @param hits predictions whose target is ranked within the top K
   * @param recall Recall@K (= HitRate@K): hits / predictions
   * @param mrr MRR@K: mean reciprocal rank, 0 beyond K
   * @param coverage distinct catalog items recommended in any top-K list / catalog items
   * @param popularity mean over all recommended top-K slots of the item's training clicks divided
   *     by the most clicked item's (1 = only the most popular item, as in session-rec)
   */
  public record CutoffMetrics(
      int k, long hits, double recall, double mrr, double coverage, double popularity) {}

  /** Pretty-printed JSON. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (final JsonProcessingException e) {
      throw new IllegalStateException("cannot write the evaluation report as JSON", e);
    }
  }

  /** Reads a report written by {@link #toJson}. */
  public static EvaluationReport fromJson(final String json) {
    try {
      return JSON.readValue(json, EvaluationReport.class);
    } catch (final JsonProcessingException e) {
      throw new IllegalArgumentException("not an evaluation report: " + e.getMessage(), e);
    }
  }
}
