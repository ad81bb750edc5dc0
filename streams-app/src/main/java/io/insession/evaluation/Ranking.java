package io.insession.evaluation;

import io.insession.scoring.Candidate;
import java.util.List;

/** Where the target lands in a ranked candidate list, with ties broken conservatively. */
public final class Ranking {

  /** The rank of a target that is not among the candidates. */
  public static final int MISS = 0;

  private Ranking() {}

  /**
   * The target's 1-based rank: one plus the number of other candidates whose score is at least the
   * target's (an item tied with the target counts as ranked above it), or {@link #MISS} when the
   * target is not among the candidates (or has no comparable score). Items beyond the list are
   * unknown and not counted, so a list must be longer than the largest cut-off for ties at the
   * boundary to be exact.
   */
  public static int conservativeRank(final List<Candidate> candidates, final String target) {
    int position = -1;
    for (int i = 0; i < candidates.size(); i++) {
      if (candidates.get(i).itemId().equals(target)) {
        position = i;
        break;
      }
    }
    if (position < 0) {
      return MISS;
    }
    final float score = candidates.get(position).score();
    if (Float.isNaN(score)) {
      return MISS;
    }
    int above = 0;
    for (int i = 0; i < candidates.size(); i++) {
      if (i != position && candidates.get(i).score() >= score) {
        above++;
      }
    }
    return above + 1;
  }
}
