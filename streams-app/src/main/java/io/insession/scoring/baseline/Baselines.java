package io.insession.scoring.baseline;

import io.insession.data.Click;
import io.insession.scoring.ModelInfo;
import io.insession.scoring.PopularityScorer;
import java.util.List;
import java.util.Map;

/**
 * Builds the baseline scorers from training sessions (session id to its clicks in order), with the
 * reference parameters of {@code ../shared/data/README.md}.
 *
 * <p>To build several baselines from the same data, {@link #trainAll} indexes the sessions once.
 */
public final class Baselines {

  /** Candidate list length of the baselines built here: longer than any usual cut-off (20). */
  public static final int DEFAULT_LIST_SIZE = 100;

  private Baselines() {}

  /** POP: the most clicked training items for every event (click counts, not session counts). */
  public static PopularityScorer popularity(final Map<String, List<Click>> train) {
    return popularity(TrainingIndex.build(train), DEFAULT_LIST_SIZE);
  }

  /** S-POP: the session's own items by count in the session, then POP. */
  public static SessionPopularityScorer sessionPopularity(final Map<String, List<Click>> train) {
    return sessionPopularity(TrainingIndex.build(train), DEFAULT_LIST_SIZE);
  }

  /** Item-kNN with cosine over sessions, 100 neighbours per item. */
  public static ItemKnnScorer itemKnn(final Map<String, List<Click>> train) {
    return ItemKnnScorer.train(train, DEFAULT_LIST_SIZE);
  }

  /** SKNN: k = 100, the 1,000 most recent sessions sharing an item. */
  public static SessionKnnScorer sknn(final Map<String, List<Click>> train) {
    return SessionKnnScorer.train(
        train, SessionKnnScorer.Settings.defaults(SessionKnnScorer.Mode.SKNN));
  }

  /** V-SKNN: as SKNN, the current session's items weighted by linear position decay. */
  public static SessionKnnScorer vsknn(final Map<String, List<Click>> train) {
    return SessionKnnScorer.train(
        train, SessionKnnScorer.Settings.defaults(SessionKnnScorer.Mode.V_SKNN));
  }

  /**
   * POP, S-POP, item-kNN, SKNN and V-SKNN with the reference parameters, indexing the training
   * sessions once.
   */
  public static All trainAll(final Map<String, List<Click>> train) {
    final TrainingIndex index = TrainingIndex.build(train);
    return new All(
        popularity(index, DEFAULT_LIST_SIZE),
        sessionPopularity(index, DEFAULT_LIST_SIZE),
        ItemKnnScorer.train(index, DEFAULT_LIST_SIZE),
        SessionKnnScorer.train(
            index, SessionKnnScorer.Settings.defaults(SessionKnnScorer.Mode.SKNN)),
        SessionKnnScorer.train(
            index, SessionKnnScorer.Settings.defaults(SessionKnnScorer.Mode.V_SKNN)));
  }

  /** The five reference baselines. */
  public record All(
      PopularityScorer popularity,
      SessionPopularityScorer sessionPopularity,
      ItemKnnScorer itemKnn,
      SessionKnnScorer sknn,
      SessionKnnScorer vsknn) {}

  static SessionPopularityScorer sessionPopularity(final TrainingIndex index, final int listSize) {
    return new SessionPopularityScorer(
        popularity(index, listSize), index.clickCounts().keySet(), listSize);
  }

  static PopularityScorer popularity(final TrainingIndex index, final int listSize) {
    return PopularityScorer.fromCounts(
        new ModelInfo("pop", "clicks"), index.clickCounts(), listSize);
  }
}
