package io.insession.rules;

import io.insession.scoring.Candidate;
import java.util.List;

/** One business rule: filters or reorders a scorer's candidates for one session. */
public interface RecommendationRule {

  /** A short stable name, for logs and metrics. */
  String name();

  /**
   * Applies the rule.
   *
   * @param candidates best first
   * @param session what the rule may know of the session
   * @return the remaining candidates, best first
   */
  List<Candidate> apply(List<Candidate> candidates, SessionView session);
}
