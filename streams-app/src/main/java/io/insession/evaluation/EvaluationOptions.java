package io.insession.evaluation;

import io.insession.config.ExcludeSeenSpec;
import java.util.List;
import java.util.Objects;

/**
 * How an evaluation runs.
 *
 * @param dataset a label for the test data in reports
 * @param cutoffs the list lengths K of Recall@K, MRR@K, coverage and popularity, ascending
 * @param batchSize sessions stepped together per {@code stepAll} call (session-parallel)
 * @param threads worker threads (each steps its own share of the sessions)
 * @param maxRecentItems recent items a session remembers, as the topology's {@code
 *     insession.session.recent.items} (the session-kNN baselines see only these)
 * @param excludeSeen the seen-items options whose served lists are measured too (the rule, lists
 *     the rule left short filled up from the scorer's fallback as served, then the cut to the
 *     largest cut-off), in report order; empty for none
 * @param progress whether a progress bar may be drawn on stderr (it is drawn only when the JVM has
 *     a terminal)
 */
public record EvaluationOptions(
    String dataset,
    List<Integer> cutoffs,
    int batchSize,
    int threads,
    int maxRecentItems,
    List<ExcludeSeenSpec> excludeSeen,
    boolean progress) {

  /** The topology's default number of remembered items. */
  public static final int DEFAULT_RECENT_ITEMS = 50;

  public EvaluationOptions {
    Objects.requireNonNull(dataset, "dataset");
    cutoffs = List.copyOf(cutoffs);
    excludeSeen = List.copyOf(excludeSeen);
    if (excludeSeen.stream().distinct().count() != excludeSeen.size()) {
      throw new IllegalArgumentException("a seen-items option is named twice: " + excludeSeen);
    }
    if (cutoffs.isEmpty()) {
      throw new IllegalArgumentException("at least one cut-off is needed");
    }
    for (int i = 0; i < cutoffs.size(); i++) {
      if (cutoffs.get(i) < 1 || (i > 0 && cutoffs.get(i) <= cutoffs.get(i - 1))) {
        throw new IllegalArgumentException(
            "cut-offs must be >= 1 and strictly ascending, got " + cutoffs);
      }
    }
    if (batchSize < 1 || threads < 1 || maxRecentItems < 1) {
      throw new IllegalArgumentException(
          "batchSize, threads and maxRecentItems must be >= 1, got "
              + batchSize
              + ", "
              + threads
              + ", "
              + maxRecentItems);
    }
  }

  /**
   * Cut-off 20, batches of 256 sessions, one thread per core, 50 remembered items, the served lists
   * measured under the default seen-items option ({@code all}), progress bar on a terminal.
   */
  public static EvaluationOptions defaults() {
    return new EvaluationOptions(
        "test",
        List.of(20),
        256,
        Runtime.getRuntime().availableProcessors(),
        DEFAULT_RECENT_ITEMS,
        List.of(ExcludeSeenSpec.ALL),
        true);
  }

  public EvaluationOptions withDataset(final String value) {
    return new EvaluationOptions(
        value, cutoffs, batchSize, threads, maxRecentItems, excludeSeen, progress);
  }

  public EvaluationOptions withCutoffs(final List<Integer> value) {
    return new EvaluationOptions(
        dataset, value, batchSize, threads, maxRecentItems, excludeSeen, progress);
  }

  public EvaluationOptions withBatchSize(final int value) {
    return new EvaluationOptions(
        dataset, cutoffs, value, threads, maxRecentItems, excludeSeen, progress);
  }

  public EvaluationOptions withThreads(final int value) {
    return new EvaluationOptions(
        dataset, cutoffs, batchSize, value, maxRecentItems, excludeSeen, progress);
  }

  public EvaluationOptions withMaxRecentItems(final int value) {
    return new EvaluationOptions(
        dataset, cutoffs, batchSize, threads, value, excludeSeen, progress);
  }

  /** The seen-items options to measure the served lists under (empty: none). */
  public EvaluationOptions withExcludeSeen(final List<ExcludeSeenSpec> value) {
    return new EvaluationOptions(
        dataset, cutoffs, batchSize, threads, maxRecentItems, value, progress);
  }

  /** Progress bar allowed or not ({@code false} = quiet). */
  public EvaluationOptions withProgress(final boolean value) {
    return new EvaluationOptions(
        dataset, cutoffs, batchSize, threads, maxRecentItems, excludeSeen, value);
  }

  /** The largest cut-off. */
  public int maxCutoff() {
    return cutoffs.get(cutoffs.size() - 1);
  }
}
