package io.insession.content;

import io.insession.catalog.CatalogListener;
import io.insession.schemas.CatalogItem;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An incremental inverted index of the catalogue: attribute token ({@link ItemTokens}) → the most
 * recently listed items that carry it, at most {@code itemsPerToken} per token (new items are the
 * most recently listed, so they are always there), plus how many items carry each token (its
 * document frequency, for the token's weight).
 *
 * <p>Kept up to date by the catalogue follower as records arrive ({@link CatalogListener}): a
 * record costs O(its tokens × itemsPerToken). A lookup ({@link #neighbours}) touches only the
 * postings of the query's tokens, so its cost does not grow with the catalogue. Memory: at most
 * {@code itemsPerToken} entries per distinct token, and one counter per distinct token.
 *
 * <p>Thread-safe: one writer (the follower's thread) and many readers (the stream threads). Each
 * token's posting is an immutable value replaced atomically; a reader sees each token either before
 * or after a record, never half-changed.
 */
public final class ContentIndex implements CatalogListener {

  /** An indexed item: its id and when it was listed (its {@code firstSeen}). */
  public record Entry(String itemId, long listedAt) {}

  /**
   * An item that shares tokens with a query.
   *
   * @param itemId the item
   * @param similarity the IDF-weighted share of the query's tokens it carries, in (0, 1]
   * @param listedAt its {@code firstSeen} (epoch ms; {@link Long#MIN_VALUE} when unknown)
   */
  public record Neighbour(String itemId, double similarity, long listedAt) {}

  /** Most recently listed first; ties by id. */
  private static final Comparator<Entry> NEWEST_FIRST =
      Comparator.comparingLong(Entry::listedAt).reversed().thenComparing(Entry::itemId);

  /** One token's items (newest first, bounded) and how many items carry it (unbounded count). */
  private record Posting(Entry[] entries, int count) {

    Posting with(final Entry entry, final int max) {
      final List<Entry> kept = new ArrayList<>(entries.length + 1);
      for (final Entry e : entries) {
        if (!e.itemId().equals(entry.itemId())) {
          kept.add(e);
        }
      }
      kept.add(entry);
      kept.sort(NEWEST_FIRST);
      final List<Entry> bounded = kept.size() > max ? kept.subList(0, max) : kept;
      return new Posting(bounded.toArray(Entry[]::new), count + 1);
    }

    Posting without(final String itemId) {
      final List<Entry> kept = new ArrayList<>(entries.length);
      for (final Entry e : entries) {
        if (!e.itemId().equals(itemId)) {
          kept.add(e);
        }
      }
      return count <= 1 ? null : new Posting(kept.toArray(Entry[]::new), count - 1);
    }
  }

  private static final Posting EMPTY = new Posting(new Entry[0], 0);

  /** A neighbour's running weight. */
  private static final class Sum {
    private final long listedAt;
    private double weight;

    Sum(final long listedAt) {
      this.listedAt = listedAt;
    }
  }

  private final int itemsPerToken;
  private final Map<String, Posting> postings = new ConcurrentHashMap<>();
  private final AtomicInteger items = new AtomicInteger();

  /**
   * @param itemsPerToken most items kept per token ({@code
   *     insession.content.index.items.per.token})
   */
  public ContentIndex(final int itemsPerToken) {
    if (itemsPerToken < 1) {
      throw new IllegalArgumentException("itemsPerToken must be at least 1, got " + itemsPerToken);
    }
    this.itemsPerToken = itemsPerToken;
  }

  @Override
  public void reloaded(final Iterator<CatalogItem> all) {
    postings.clear();
    items.set(0);
    while (all.hasNext()) {
      add(all.next());
    }
  }

  @Override
  public void changed(final String itemId, final CatalogItem previous, final CatalogItem current) {
    if (previous != null) {
      remove(previous);
    }
    if (current != null) {
      add(current);
    }
  }

  private void add(final CatalogItem item) {
    final Entry entry = new Entry(item.getItemId(), listedAt(item));
    for (final String token : ItemTokens.of(item)) {
      postings.compute(
          token, (t, posting) -> (posting == null ? EMPTY : posting).with(entry, itemsPerToken));
    }
    items.incrementAndGet();
  }

  private void remove(final CatalogItem item) {
    for (final String token : ItemTokens.of(item)) {
      postings.computeIfPresent(token, (t, posting) -> posting.without(item.getItemId()));
    }
    items.decrementAndGet();
  }

  /** When {@code item} was listed: its {@code firstSeen}, or {@link Long#MIN_VALUE} if unknown. */
  static long listedAt(final CatalogItem item) {
    return item.getFirstSeen() == null ? Long.MIN_VALUE : item.getFirstSeen().toEpochMilli();
  }

  /** How many items the index holds. */
  public int size() {
    return Math.max(0, items.get());
  }

  /** The items kept for {@code token}, newest first (empty when none). */
  public List<Entry> items(final String token) {
    return List.of(postings.getOrDefault(token, EMPTY).entries());
  }

  /**
   * A token's weight: {@code ln(1 + items / itemsWithToken)} (rare tokens weigh more); 0 for a
   * token fewer than two items carry (it cannot make two items alike).
   */
  double weight(final String token) {
    return weight(postings.get(token));
  }

  private double weight(final Posting posting) {
    if (posting == null || posting.count() < 2) {
      return 0;
    }
    return Math.log1p((double) Math.max(size(), posting.count()) / posting.count());
  }

  /**
   * The items sharing tokens with a query, each with its similarity: the sum of {@code queryWeight
   * × weight} over the query tokens it carries, divided by that sum over all the query tokens.
   * Touches only the query tokens' postings: O(tokens × itemsPerToken).
   *
   * @param query token → its weight in the query (e.g. by the recency of the item it came from)
   * @param excluded items never returned (e.g. the query's own items)
   * @param minSimilarity least similarity returned
   * @return the neighbours, most similar first (ties: most recently listed, then id)
   */
  public List<Neighbour> neighbours(
      final Map<String, Double> query, final Set<String> excluded, final double minSimilarity) {
    double total = 0;
    final Map<String, Sum> sums = new HashMap<>();
    for (final Map.Entry<String, Double> term : query.entrySet()) {
      final Posting posting = postings.get(term.getKey());
      final double weight = term.getValue() * weight(posting);
      if (weight <= 0) {
        continue;
      }
      total += weight;
      for (final Entry entry : posting.entries()) {
        if (!excluded.contains(entry.itemId())) {
          sums.computeIfAbsent(entry.itemId(), id -> new Sum(entry.listedAt())).weight += weight;
        }
      }
    }
    final List<Neighbour> found = new ArrayList<>();
    if (total <= 0) {
      return found;
    }
    for (final Map.Entry<String, Sum> sum : sums.entrySet()) {
      final double similarity = Math.min(1.0, sum.getValue().weight / total);
      if (similarity >= minSimilarity) {
        found.add(new Neighbour(sum.getKey(), similarity, sum.getValue().listedAt));
      }
    }
    found.sort(
        Comparator.comparingDouble(Neighbour::similarity)
            .reversed()
            .thenComparing(Comparator.comparingLong(Neighbour::listedAt).reversed())
            .thenComparing(Neighbour::itemId));
    return found;
  }
}
