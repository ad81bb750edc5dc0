package io.insession.rules;

import io.insession.config.ExcludeSeenSpec;
import io.insession.scoring.Candidate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Drops items the session already has, by the option of {@code insession.rules.exclude.seen} (see
 * {@link ExcludeSeenSpec}): every remembered recent item ({@code all}, the default), those of the
 * last N item events ({@code last:N}), only bought ones ({@code bought}) or none ({@code off}).
 *
 * <p>Shoppers often go back to an item they saw: the offline protocol counts such repeat targets,
 * and {@code all} turns every one of them into a miss. {@code insession evaluate --exclude-seen}
 * measures each option on the served lists.
 */
public final class ExcludeSeenItems implements RecommendationRule {

  private final ExcludeSeenSpec spec;

  /** Excludes every remembered recent item. */
  public ExcludeSeenItems() {
    this(ExcludeSeenSpec.ALL);
  }

  public ExcludeSeenItems(final ExcludeSeenSpec spec) {
    this.spec = Objects.requireNonNull(spec, "spec");
  }

  /** The option this rule applies. */
  public ExcludeSeenSpec spec() {
    return spec;
  }

  @Override
  public String name() {
    return switch (spec.mode()) {
      case ALL -> "exclude-seen";
      case LAST -> "exclude-seen-last-" + spec.lastEvents();
      case BOUGHT -> "exclude-bought";
      case OFF -> "exclude-nothing";
    };
  }

  @Override
  public List<Candidate> apply(final List<Candidate> candidates, final SessionView session) {
    final Set<String> excluded =
        switch (spec.mode()) {
          case ALL -> session.seenItems();
          case LAST -> session.lastItems(spec.lastEvents());
          case BOUGHT -> session.boughtItemSet();
          case OFF -> Set.of();
        };
    if (excluded.isEmpty()) {
      return candidates;
    }
    final List<Candidate> kept = new ArrayList<>(candidates.size());
    for (final Candidate candidate : candidates) {
      if (!excluded.contains(candidate.itemId())) {
        kept.add(candidate);
      }
    }
    return kept;
  }
}
