package io.insession.scoring.baseline;

import io.insession.data.Click;
import io.insession.scoring.Candidate;
import io.insession.scoring.ModelInfo;
import io.insession.scoring.PopularityScorer;
import io.insession.scoring.SessionScorer;
import io.insession.scoring.StepRequest;
import io.insession.scoring.StepResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Item-to-item kNN on the last item: the candidates are the items most similar to the event's item,
 * by cosine similarity over training sessions, {@code sim(i, j) = sessions(i and j) /
 * sqrt(sessions(i) * sessions(j))} where {@code sessions(x)} counts the training sessions
 * containing {@code x} (each session counts once however often it clicks an item). An item is not
 * its own neighbour.
 *
 * <p>Neighbour lists are computed once at construction (the {@code neighbours} most similar items
 * per item, best first, ties by item id order of first appearance in training); a step is a lookup.
 * The state is always empty; an unknown item gets the popularity fallback with {@code
 * itemKnown=false}. Thread-safe (immutable).
 */
public final class ItemKnnScorer implements SessionScorer {

  /** Default neighbours kept per item (and so the longest candidate list). */
  public static final int DEFAULT_NEIGHBOURS = 100;

  private static final byte[] NO_STATE = new byte[0];

  private final ModelInfo model;
  private final Map<String, List<Candidate>> neighbours;
  private final PopularityScorer popularity;
  private final int listSize;

  private ItemKnnScorer(
      final ModelInfo model,
      final Map<String, List<Candidate>> neighbours,
      final PopularityScorer popularity,
      final int listSize) {
    this.model = model;
    this.neighbours = neighbours;
    this.popularity = popularity;
    this.listSize = listSize;
  }

  /**
   * Trains on sessions.
   *
   * @param train training sessions: session id to its clicks in order
   * @param neighbours similar items kept per item (>= 1): the candidate list length
   */
  public static ItemKnnScorer train(final Map<String, List<Click>> train, final int neighbours) {
    return train(TrainingIndex.build(train), neighbours);
  }

  static ItemKnnScorer train(final TrainingIndex index, final int neighbours) {
    Objects.requireNonNull(index, "index");
    if (neighbours < 1) {
      throw new IllegalArgumentException("neighbours must be >= 1, got " + neighbours);
    }
    final int numItems = index.numItems();
    final int[] cooccurrences = new int[numItems];
    final int[] touched = new int[numItems];
    final Map<String, List<Candidate>> lists = new HashMap<>(numItems * 2);
    for (int i = 0; i < numItems; i++) {
      int touchedCount = 0;
      for (final int session : index.itemSessions(i)) {
        for (final int j : index.sessionItems(session)) {
          if (j != i) {
            if (cooccurrences[j] == 0) {
              touched[touchedCount++] = j;
            }
            cooccurrences[j]++;
          }
        }
      }
      final double sessionsOfI = index.itemSessions(i).length;
      final double[] similarity = new double[touchedCount];
      for (int n = 0; n < touchedCount; n++) {
        final int j = touched[n];
        similarity[n] = cooccurrences[j] / Math.sqrt(sessionsOfI * index.itemSessions(j).length);
      }
      final Integer[] order = new Integer[touchedCount];
      for (int n = 0; n < touchedCount; n++) {
        order[n] = n;
      }
      Arrays.sort(
          order,
          (a, b) -> {
            final int bySimilarity = Double.compare(similarity[b], similarity[a]);
            return bySimilarity != 0 ? bySimilarity : Integer.compare(touched[a], touched[b]);
          });
      final int kept = Math.min(neighbours, touchedCount);
      final List<Candidate> list = new ArrayList<>(kept);
      for (int n = 0; n < kept; n++) {
        list.add(new Candidate(index.itemId(touched[order[n]]), (float) similarity[order[n]]));
      }
      lists.put(index.itemId(i), List.copyOf(list));
      for (int n = 0; n < touchedCount; n++) {
        cooccurrences[touched[n]] = 0;
      }
    }
    return new ItemKnnScorer(
        new ModelInfo("item-knn", "cosine,neighbours=" + neighbours),
        Map.copyOf(lists),
        Baselines.popularity(index, neighbours),
        neighbours);
  }

  @Override
  public ModelInfo model() {
    return model;
  }

  /** The event item's neighbours, or the popular items when the item is unknown. */
  @Override
  public StepResult step(final StepRequest request) {
    final List<Candidate> list = neighbours.get(request.itemId());
    if (list == null) {
      return new StepResult(NO_STATE, popularity.fallback(listSize), false);
    }
    return new StepResult(NO_STATE, list, true);
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
