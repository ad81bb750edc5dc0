package io.insession.content;

import io.insession.catalog.ItemCatalog;
import io.insession.schemas.CatalogItem;
import io.insession.scoring.Candidate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The content route: items recommended by the similarity of their catalogue attributes (category
 * path, brand, title words; {@link ItemTokens}) to the session's latest items, looked up in the
 * {@link ContentIndex} (never a scan of the catalogue).
 *
 * <ul>
 *   <li><b>The model scored the event</b>: new items (listed less than {@code newItemAgeMs} ago)
 *       similar to the session get slots in the model's list, at most {@code newItemSlots}. Each
 *       gets the blend {@code b = similarity × (1 − age / newItemAgeMs)} and is placed at rank
 *       {@code ⌊(1 − b) × n⌋} of the model's {@code n} (the list length, or fewer candidates) —
 *       just listed and alike goes to the top, older or less alike lower, past the age not at all —
 *       scored between its neighbours there.
 *   <li><b>The model did not know the event's item</b> (its candidates are the scorer's fallback,
 *       the popular items): the list is content-based: the items most similar to the session's
 *       latest items (new or not), at most two list lengths of them, ranked above the fallback,
 *       which stays below them as a backfill.
 * </ul>
 *
 * <p>Cost per list: one catalogue lookup per query item ({@code sessionItems}) and the postings of
 * their tokens: O(sessionItems × tokens per item × itemsPerToken), whatever the catalogue's size.
 */
public final class ContentRoute {

  private final ContentIndex index;
  private final ItemCatalog catalog;
  private final Clock clock;
  private final ContentSettings settings;
  private final int listLength;

  /**
   * @param index the catalogue's token index
   * @param catalog where the session's items are looked up
   * @param clock the time lists are made at (item ages)
   * @param settings the route's parameters
   * @param listLength the length lists are cut to
   */
  public ContentRoute(
      final ContentIndex index,
      final ItemCatalog catalog,
      final Clock clock,
      final ContentSettings settings,
      final int listLength) {
    if (listLength < 1) {
      throw new IllegalArgumentException("listLength must be at least 1, got " + listLength);
    }
    this.index = index;
    this.catalog = catalog;
    this.clock = clock;
    this.settings = settings;
    this.listLength = listLength;
  }

  /**
   * The candidates with the route's items blended in, best first.
   *
   * @param candidates the scorer's candidates, best first
   * @param recentItems the session's recent items, oldest first, the event's included
   * @param fallback whether the candidates are the scorer's fallback (the model did not know the
   *     event's item): then the list becomes content-based
   */
  public List<Candidate> blend(
      final List<Candidate> candidates, final List<String> recentItems, final boolean fallback) {
    final Set<String> queryItems = new LinkedHashSet<>();
    for (int i = recentItems.size() - 1;
        i >= 0 && queryItems.size() < settings.sessionItems();
        i--) {
      queryItems.add(recentItems.get(i));
    }
    final Map<String, Double> query = query(queryItems);
    if (query.isEmpty()) {
      return candidates;
    }
    final List<ContentIndex.Neighbour> neighbours =
        index.neighbours(query, queryItems, settings.minSimilarity());
    if (neighbours.isEmpty()) {
      return candidates;
    }
    return fallback ? contentList(candidates, neighbours) : withNewItems(candidates, neighbours);
  }

  /** Token → weight: the latest item's tokens weigh 1, each earlier item's half the next one's. */
  private Map<String, Double> query(final Set<String> queryItems) {
    final Map<String, Double> query = new HashMap<>();
    double weight = 1.0;
    for (final String itemId : queryItems) {
      final CatalogItem item = catalog.item(itemId);
      if (item != null) {
        for (final String token : ItemTokens.of(item)) {
          query.merge(token, weight, Math::max);
        }
      }
      weight /= 2;
    }
    return query;
  }

  /** A new item given a slot, with its blend and rank. */
  private record Slot(String itemId, double blend, int rank) {}

  private List<Candidate> withNewItems(
      final List<Candidate> candidates, final List<ContentIndex.Neighbour> neighbours) {
    if (settings.newItemSlots() == 0) {
      return candidates;
    }
    final Set<String> present = new HashSet<>();
    for (final Candidate candidate : candidates) {
      present.add(candidate.itemId());
    }
    final long now = clock.millis();
    final int n = Math.min(listLength, candidates.size());
    final List<Slot> slots = new ArrayList<>();
    for (final ContentIndex.Neighbour neighbour : neighbours) {
      final double freshness = freshness(neighbour.listedAt(), now);
      if (freshness > 0 && !present.contains(neighbour.itemId())) {
        final double blend = neighbour.similarity() * freshness;
        slots.add(
            new Slot(neighbour.itemId(), blend, Math.min(n, (int) Math.floor((1 - blend) * n))));
      }
    }
    if (slots.isEmpty()) {
      return candidates;
    }
    slots.sort(Comparator.comparingDouble(Slot::blend).reversed().thenComparing(Slot::itemId));
    final List<Slot> taken =
        new ArrayList<>(slots.subList(0, Math.min(settings.newItemSlots(), slots.size())));
    taken.sort(Comparator.comparingInt(Slot::rank)); // stable: equal ranks keep blend order
    final List<Candidate> blended = new ArrayList<>(candidates.size() + taken.size());
    int next = 0;
    for (int i = 0; i <= candidates.size(); i++) {
      while (next < taken.size() && taken.get(next).rank() <= i) {
        blended.add(new Candidate(taken.get(next).itemId(), scoreAt(candidates, i)));
        next++;
      }
      if (i < candidates.size()) {
        blended.add(candidates.get(i));
      }
    }
    return blended;
  }

  /** A score just above candidate {@code rank}: between it and the one above (above the top). */
  private static float scoreAt(final List<Candidate> candidates, final int rank) {
    if (candidates.isEmpty()) {
      return 1f;
    }
    if (rank >= candidates.size()) {
      return Math.nextDown(candidates.get(candidates.size() - 1).score());
    }
    final float below = candidates.get(rank).score();
    final float above = rank == 0 ? below + 1f : candidates.get(rank - 1).score();
    return Math.max(below, (above + below) / 2f);
  }

  /** 1 for an item listed now, falling to 0 at the new-item age; 0 when the age is unknown. */
  private double freshness(final long listedAt, final long now) {
    if (listedAt == Long.MIN_VALUE) {
      return 0;
    }
    final long age = Math.max(0, now - listedAt);
    return age >= settings.newItemAgeMs() ? 0 : 1 - (double) age / settings.newItemAgeMs();
  }

  private List<Candidate> contentList(
      final List<Candidate> candidates, final List<ContentIndex.Neighbour> neighbours) {
    float top = Float.NEGATIVE_INFINITY;
    for (final Candidate candidate : candidates) {
      top = Math.max(top, candidate.score());
    }
    final float base = top == Float.NEGATIVE_INFINITY ? 0f : top;
    final int count = Math.min(neighbours.size(), 2 * listLength);
    final List<Candidate> list = new ArrayList<>(count + candidates.size());
    final Set<String> taken = new HashSet<>();
    for (final ContentIndex.Neighbour neighbour : neighbours.subList(0, count)) {
      list.add(new Candidate(neighbour.itemId(), base + (float) neighbour.similarity()));
      taken.add(neighbour.itemId());
    }
    for (final Candidate candidate : candidates) {
      if (!taken.contains(candidate.itemId())) {
        list.add(candidate);
      }
    }
    return list;
  }
}
