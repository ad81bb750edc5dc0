package io.insession.rules;

import io.insession.config.ExcludeSeenSpec;
import io.insession.scoring.Candidate;
import java.util.ArrayList;
import java.util.List;

/** The configured rules in order, then the cut to the list length. */
public final class RuleChain {

  private final List<RecommendationRule> rules;
  private final int listLength;

  public RuleChain(final List<RecommendationRule> rules, final int listLength) {
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

  /** Names of the active rules, in order. */
  public List<String> ruleNames() {
    return rules.stream().map(RecommendationRule::name).toList();
  }
}
