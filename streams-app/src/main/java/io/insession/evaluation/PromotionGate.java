package io.insession.evaluation;

import io.insession.scoring.StepResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The offline promotion gate (docs/promotion-gate.md): a candidate model is promoted only if, on
 * the same replayed sessions and through the same scoring code as {@code evaluate}, it is not worse
 * than the current model on Recall@K and MRR@K beyond a margin, with the uncertainty of a paired
 * bootstrap over sessions.
 *
 * <p>Both models predict every click of every session (the next-item protocol). Per session the
 * gate keeps the number of predictions, the hits at K and the sum of reciprocal ranks at K, for
 * each model. A bootstrap sample draws sessions with replacement (the same sessions for both
 * models: the comparison is paired, so what the sessions share cancels out) and computes the
 * difference candidate − current of each metric as the evaluation computes it (sums over
 * predictions divided by their number). The metric passes when the one-sided lower confidence bound
 * of that difference (the {@code 1 − confidence} quantile of the samples) is at least {@code
 * −margin × current}: a relative margin, so "within 1 %" means the same on every data set.
 */
public final class PromotionGate {

  private PromotionGate() {}

  /**
   * The rule.
   *
   * @param cutoff K of Recall@K and MRR@K
   * @param margin how much worse the candidate may be, relative to the current model's value (0.01
   *     = 1 %)
   * @param confidence of the one-sided lower bound (0.95: the candidate is worse by more than the
   *     margin with at most 5 % probability under the bootstrap)
   * @param resamples bootstrap samples
   * @param seed of the bootstrap's random draws (the verdict is reproducible)
   */
  public record Rule(int cutoff, double margin, double confidence, int resamples, long seed) {

    public Rule {
      if (cutoff < 1) {
        throw new IllegalArgumentException("cutoff must be at least 1, got " + cutoff);
      }
      if (!(margin >= 0 && margin < 1)) {
        throw new IllegalArgumentException("margin must be in [0, 1), got " + margin);
      }
      if (!(confidence > 0.5 && confidence < 1)) {
        throw new IllegalArgumentException("confidence must be in (0.5, 1), got " + confidence);
      }
      if (resamples < 100) {
        throw new IllegalArgumentException("resamples must be at least 100, got " + resamples);
      }
    }

    /** K = 20, margin 1 %, 95 % confidence, 2,000 resamples, seed 1. */
    public static Rule defaults() {
      return new Rule(20, 0.01, 0.95, 2_000, 1L);
    }
  }

  /**
   * One metric's comparison.
   *
   * @param metric {@code Recall@K} or {@code MRR@K}
   * @param current the current model's value on all sessions
   * @param candidate the candidate's value on all sessions
   * @param difference candidate − current
   * @param lowerBound the one-sided lower confidence bound of the difference
   * @param allowed the least difference that passes: −margin × current
   * @param passed whether {@code lowerBound ≥ allowed}
   */
  public record Comparison(
      String metric,
      double current,
      double candidate,
      double difference,
      double lowerBound,
      double allowed,
      boolean passed) {}

  /**
   * The gate's verdict.
   *
   * @param candidate the candidate's name
   * @param current the current model's name
   * @param sessions sessions with at least one prediction
   * @param predictions predictions per model
   * @param rule the rule applied
   * @param comparisons Recall@K, then MRR@K
   */
  public record Verdict(
      String candidate,
      String current,
      int sessions,
      long predictions,
      Rule rule,
      List<Comparison> comparisons) {

    public Verdict {
      comparisons = List.copyOf(comparisons);
    }

    /** Whether the candidate passes on every metric. */
    public boolean passed() {
      return comparisons.stream().allMatch(Comparison::passed);
    }
  }

  /**
   * Evaluates both models on {@code evaluator}'s sessions and judges the candidate (the scorers are
   * not closed).
   */
  public static Verdict judge(
      final NextItemEvaluator evaluator,
      final NamedScorer candidate,
      final NamedScorer current,
      final Rule rule) {
    final Outcomes candidateOutcomes = new Outcomes(rule.cutoff());
    evaluator.evaluate(candidate, candidateOutcomes);
    final Outcomes currentOutcomes = new Outcomes(rule.cutoff());
    evaluator.evaluate(current, currentOutcomes);
    return judge(candidate.name(), candidateOutcomes, current.name(), currentOutcomes, rule);
  }

  /** Judges per-session outcomes of the two models on the same sessions. */
  static Verdict judge(
      final String candidateName,
      final Outcomes candidate,
      final String currentName,
      final Outcomes current,
      final Rule rule) {
    if (!candidate.bySession.keySet().equals(current.bySession.keySet())) {
      throw new IllegalArgumentException("the two models were not evaluated on the same sessions");
    }
    final List<String> ids = new ArrayList<>(new TreeMap<>(current.bySession).keySet());
    if (ids.isEmpty()) {
      throw new IllegalArgumentException(
          "no test session has a prediction (every session has a single click)");
    }
    final int n = ids.size();
    final long[] predictions = new long[n];
    final long[] hitDifference = new long[n];
    final double[] rrDifference = new double[n];
    long totalPredictions = 0;
    long candidateHits = 0;
    long currentHits = 0;
    double candidateRr = 0;
    double currentRr = 0;
    for (int i = 0; i < n; i++) {
      final Session a = candidate.bySession.get(ids.get(i));
      final Session b = current.bySession.get(ids.get(i));
      if (a.predictions != b.predictions) {
        throw new IllegalArgumentException(
            "session " + ids.get(i) + " has another number of predictions for the two models");
      }
      predictions[i] = a.predictions;
      hitDifference[i] = a.hits - b.hits;
      rrDifference[i] = a.reciprocalRanks - b.reciprocalRanks;
      totalPredictions += a.predictions;
      candidateHits += a.hits;
      currentHits += b.hits;
      candidateRr += a.reciprocalRanks;
      currentRr += b.reciprocalRanks;
    }
    final double[] recallSamples = new double[rule.resamples()];
    final double[] mrrSamples = new double[rule.resamples()];
    final SplittableRandom random = new SplittableRandom(rule.seed());
    for (int s = 0; s < rule.resamples(); s++) {
      long count = 0;
      long hits = 0;
      double rr = 0;
      for (int draw = 0; draw < n; draw++) {
        final int i = random.nextInt(n);
        count += predictions[i];
        hits += hitDifference[i];
        rr += rrDifference[i];
      }
      recallSamples[s] = (double) hits / count;
      mrrSamples[s] = rr / count;
    }
    final double alpha = 1 - rule.confidence();
    final List<Comparison> comparisons =
        List.of(
            compare(
                "Recall@" + rule.cutoff(),
                (double) currentHits / totalPredictions,
                (double) candidateHits / totalPredictions,
                lowerQuantile(recallSamples, alpha),
                rule.margin()),
            compare(
                "MRR@" + rule.cutoff(),
                currentRr / totalPredictions,
                candidateRr / totalPredictions,
                lowerQuantile(mrrSamples, alpha),
                rule.margin()));
    return new Verdict(candidateName, currentName, n, totalPredictions, rule, comparisons);
  }

  private static Comparison compare(
      final String metric,
      final double current,
      final double candidate,
      final double lowerBound,
      final double margin) {
    final double allowed = -margin * current;
    return new Comparison(
        metric,
        current,
        candidate,
        candidate - current,
        lowerBound,
        allowed,
        lowerBound >= allowed);
  }

  /** The {@code q} quantile of {@code samples} (sorted in place; the lower nearest rank). */
  static double lowerQuantile(final double[] samples, final double q) {
    Arrays.sort(samples);
    final int index = (int) Math.floor(q * (samples.length - 1));
    return samples[index];
  }

  /** One model's outcomes per session, filled by the evaluator (thread-safe). */
  static final class Outcomes implements PredictionListener {

    private final int cutoff;
    private final Map<String, Session> bySession = new ConcurrentHashMap<>();

    Outcomes(final int cutoff) {
      this.cutoff = cutoff;
    }

    @Override
    public void onPrediction(
        final String sessionId, final int position, final StepResult result, final String target) {
      final int rank = Ranking.conservativeRank(result.candidates(), target);
      add(sessionId, rank != Ranking.MISS && rank <= cutoff ? rank : Ranking.MISS);
    }

    /**
     * One prediction of {@code sessionId} whose target ranked {@code rank} ({@link Ranking#MISS}).
     */
    void add(final String sessionId, final int rank) {
      bySession
          .computeIfAbsent(Objects.requireNonNull(sessionId, "sessionId"), id -> new Session())
          .add(rank);
    }
  }

  /** The sums of one session (one thread adds to it at a time: sessions are not split). */
  private static final class Session {
    private long predictions;
    private long hits;
    private double reciprocalRanks;

    private synchronized void add(final int rank) {
      predictions++;
      if (rank != Ranking.MISS) {
        hits++;
        reciprocalRanks += 1.0 / rank;
      }
    }
  }
}
