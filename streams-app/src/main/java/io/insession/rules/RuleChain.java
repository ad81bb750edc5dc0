package io.insession.rules;

import io.insession.config.ExcludeSeenSpec;
import io.insession.scoring.Candidate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * The configured rules in order, then the cut to the list length; with {@link #rank}, lists that
 * the rules left short are filled up from a backfill source, and what each rule removed is
 * reported.
 */
public final class RuleChain {

  private final List<RecommendationRule> rules;
  private final int listLength;
  private final Runnable onNewList;

  public RuleChain(final List<RecommendationRule> rules, final int listLength) {
    this(rules, listLength, () -> {});
  }

  /**
   * @param onNewList run at the start of each {@link #rank} (e.g. to forget the previous list's
   *     catalogue lookups)
   */
  public RuleChain(
      final List<RecommendationRule> rules, final int listLength, final Runnable onNewList) {
    this.onNewList = onNewList;
    if (listLength < 1) {
      throw new IllegalArgumentException("listLength must be at least 1, got " + listLength);
    }
    this.rules = List.copyOf(rules);
    this.listLength = listLength;
  }

  /** The chain the settings ask for ({@code true}: exclude every seen item). */
  public static RuleChain of(final boolean excludeSeen, final int listLength) {
    return of(ExcludeSeenSpec.of(excludeSeen), listLength);
  }

  /** The chain the settings ask for: the seen-items option (left out when off). */
  public static RuleChain of(final ExcludeSeenSpec excludeSeen, final int listLength) {
    final List<RecommendationRule> rules = new ArrayList<>();
    if (excludeSeen.active()) {
      rules.add(new ExcludeSeenItems(excludeSeen));
    }
    return new RuleChain(rules, listLength);
  }

  /** The final list: every rule applied, best first, at most the list length. */
  public List<Candidate> apply(final List<Candidate> candidates, final SessionView session) {
    List<Candidate> current = candidates;
    for (final RecommendationRule rule : rules) {
      current = rule.apply(current, session);
    }
    return current.size() <= listLength ? current : current.subList(0, listLength);
  }

  /** Counts what each rule removed from the list that was served. */
  @FunctionalInterface
  public interface RemovalListener {
    /** Nothing counted. */
    RemovalListener NONE = (rule, removed) -> {};

    /**
     * @param rule the rule's name
     * @param removed how many candidates it removed (0 is not reported)
     */
    void removed(String rule, int removed);
  }

  /**
   * The final list with backfill: every rule applied to the model's candidates; when fewer than the
   * list length are left, the rules run again over the candidates followed by the backfill items
   * (those not already candidates, in their order, scored just below the lowest candidate so they
   * rank after it unless a rule re-ranks), and the list is cut to its length. O(candidates +
   * backfill) per list. What each rule removed in the run that made the list is reported to {@code
   * listener}.
   *
   * @param candidates the model's candidates, best first
   * @param backfill asked for at most that many fallback items, best first, only when needed; null
   *     for no backfill
   */
  public List<Candidate> rank(
      final List<Candidate> candidates,
      final IntFunction<List<Candidate>> backfill,
      final SessionView session,
      final RemovalListener listener) {
    onNewList.run();
    final int[] removed = new int[rules.size()];
    List<Candidate> current = run(candidates, session, removed);
    if (current.size() < listLength && backfill != null) {
      final List<Candidate> pool =
          withBackfill(candidates, backfill.apply(candidates.size() + 2 * listLength));
      if (pool.size() > candidates.size()) {
        Arrays.fill(removed, 0);
        current = run(pool, session, removed);
      }
    }
    for (int i = 0; i < removed.length; i++) {
      if (removed[i] > 0) {
        listener.removed(rules.get(i).name(), removed[i]);
      }
    }
    return current.size() <= listLength ? current : current.subList(0, listLength);
  }

  private List<Candidate> run(
      final List<Candidate> candidates, final SessionView session, final int[] removed) {
    List<Candidate> current = candidates;
    for (int i = 0; i < rules.size(); i++) {
      final int before = current.size();
      current = rules.get(i).apply(current, session);
      removed[i] += before - current.size();
    }
    return current;
  }

  /** The candidates, then the backfill items that are not candidates, scored below them. */
  private static List<Candidate> withBackfill(
      final List<Candidate> candidates, final List<Candidate> backfill) {
    final Set<String> present = new HashSet<>(candidates.size() * 2);
    float score = Float.POSITIVE_INFINITY;
    for (final Candidate candidate : candidates) {
      present.add(candidate.itemId());
      score = Math.min(score, candidate.score());
    }
    if (score == Float.POSITIVE_INFINITY) {
      score = 0f;
    }
    final List<Candidate> pool = new ArrayList<>(candidates.size() + backfill.size());
    pool.addAll(candidates);
    for (final Candidate extra : backfill) {
      if (present.add(extra.itemId())) {
        score = Math.nextDown(score);
        pool.add(new Candidate(extra.itemId(), score));
      }
    }
    return pool;
  }

  /** Names of the active rules, in order. */
  public List<String> ruleNames() {
    return rules.stream().map(RecommendationRule::name).toList();
  }
}
