package io.insession.scoring.baseline;

import io.insession.scoring.Candidate;
import io.insession.scoring.ModelInfo;
import io.insession.scoring.PopularityScorer;
import io.insession.scoring.SessionScorer;
import io.insession.scoring.StepRequest;
import io.insession.scoring.StepResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * S-POP (session popularity): the session's own items first, by how often the session clicked them
 * (ties: the more recently clicked first), then the most clicked training items to fill the list.
 * "The session" is what the topology remembers of it: its recent items and the event's item.
 *
 * <p>Only items of the training data are proposed (an item the catalog does not have cannot be a
 * hit). Scores: a session item gets {@code 1 + count + (last position + 1) / (positions + 1)}, so a
 * higher count wins, then recency, and every session item scores above every popular item; the
 * popular items keep their training click shares (in [0, 1], equal counts tie as in POP). The state
 * is always empty; {@code itemKnown} says whether the event's item is a training item. Thread-safe
 * (immutable).
 */
public final class SessionPopularityScorer implements SessionScorer {

  private static final byte[] NO_STATE = new byte[0];

  private final ModelInfo model;
  private final PopularityScorer popularity;
  private final Set<String> known;
  private final int listSize;

  SessionPopularityScorer(
      final PopularityScorer popularity, final Set<String> known, final int listSize) {
    if (listSize < 1) {
      throw new IllegalArgumentException("listSize must be >= 1, got " + listSize);
    }
    this.model = new ModelInfo("s-pop", "session-counts,then-clicks");
    this.popularity = Objects.requireNonNull(popularity, "popularity");
    this.known = Set.copyOf(known);
    this.listSize = listSize;
  }

  @Override
  public ModelInfo model() {
    return model;
  }

  /** The session's known items by count, then recency; then the popular items. */
  @Override
  public StepResult step(final StepRequest request) {
    final List<String> session = new ArrayList<>(request.recentItems().size() + 1);
    session.addAll(request.recentItems());
    session.add(request.itemId());
    final Map<String, Integer> counts = new HashMap<>();
    final Map<String, Integer> lastPosition = new HashMap<>();
    for (int p = 0; p < session.size(); p++) {
      final String item = session.get(p);
      if (known.contains(item)) {
        counts.merge(item, 1, Integer::sum);
        lastPosition.put(item, p);
      }
    }
    final List<String> own =
        counts.keySet().stream()
            .sorted(
                Comparator.comparing((String item) -> counts.get(item))
                    .thenComparing(lastPosition::get)
                    .reversed())
            .limit(listSize)
            .toList();
    final List<Candidate> list = new ArrayList<>(listSize);
    final double positions = session.size() + 1;
    for (final String item : own) {
      list.add(
          new Candidate(
              item, (float) (1 + counts.get(item) + (lastPosition.get(item) + 1) / positions)));
    }
    final Set<String> taken = new HashSet<>(own);
    for (final Candidate popular : popularity.fallback(listSize + own.size())) {
      if (list.size() >= listSize) {
        break;
      }
      if (!taken.contains(popular.itemId())) {
        list.add(popular);
      }
    }
    return new StepResult(NO_STATE, list, known.contains(request.itemId()));
  }

  /** The most clicked training items. */
  @Override
  public List<Candidate> fallback(final int count) {
    return popularity.fallback(count);
  }

  /** Nothing to release. */
  @Override
  public void close() {
    // no native resources
  }
}
