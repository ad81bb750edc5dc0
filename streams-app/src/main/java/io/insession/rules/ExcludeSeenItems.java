package io.insession.rules;

import io.insession.scoring.Candidate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Drops items the session has already seen (among its remembered recent items). */
public final class ExcludeSeenItems implements RecommendationRule {

  @Override
  public String name() {
    return "exclude-seen";
  }

  @Override
  public List<Candidate> apply(final List<Candidate> candidates, final SessionView session) {
    final Set<String> seen = session.seenItems();
    final List<Candidate> kept = new ArrayList<>(candidates.size());
    for (final Candidate candidate : candidates) {
      if (!seen.contains(candidate.itemId())) {
        kept.add(candidate);
      }
    }
    return kept;
  }
}
