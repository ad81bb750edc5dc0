package io.insession.rules;

import io.insession.config.RuleChainSpec;
import io.insession.content.ContentRoute;
import io.insession.scoring.Candidate;
import java.util.List;

/**
 * The content route as an entry of a rule chain ({@value RuleChainSpec#CONTENT}): adds new items to
 * the model's lists, and makes the list content-based when the model did not know the event's item
 * ({@link ContentRoute}). Removes nothing; put it first so the rules after it see what it adds.
 */
public final class ContentRouteRule implements RecommendationRule {

  private final ContentRoute route;

  public ContentRouteRule(final ContentRoute route) {
    this.route = route;
  }

  @Override
  public String name() {
    return RuleChainSpec.CONTENT;
  }

  @Override
  public List<Candidate> apply(final List<Candidate> candidates, final SessionView session) {
    return route.blend(candidates, session.recentItems(), session.fallback());
  }
}
