package io.insession.rules;

import io.insession.catalog.ItemCatalog;
import io.insession.config.RuleChainSpec;
import io.insession.schemas.CatalogItem;
import io.insession.scoring.Candidate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Drops items a shopper cannot buy now: out of stock, not yet on sale ({@code availableFrom} after
 * the clock), or not listed in the catalogue (deleted by a tombstone, or never loaded). One
 * catalogue lookup per candidate.
 */
public final class ItemAvailability implements RecommendationRule {

  private final ItemCatalog catalog;
  private final Clock clock;

  /**
   * @param catalog where items are looked up
   * @param clock the time a list is served at (the wall clock; a fixed one in tests)
   */
  public ItemAvailability(final ItemCatalog catalog, final Clock clock) {
    this.catalog = catalog;
    this.clock = clock;
  }

  @Override
  public String name() {
    return RuleChainSpec.AVAILABLE;
  }

  @Override
  public List<Candidate> apply(final List<Candidate> candidates, final SessionView session) {
    final Instant now = clock.instant();
    final List<Candidate> kept = new ArrayList<>(candidates.size());
    for (final Candidate candidate : candidates) {
      if (available(catalog.item(candidate.itemId()), now)) {
        kept.add(candidate);
      }
    }
    return kept;
  }

  /** Whether a catalogue record (null: not listed) can be bought at {@code now}. */
  static boolean available(final CatalogItem item, final Instant now) {
    return item != null
        && item.getInStock()
        && (item.getAvailableFrom() == null || !item.getAvailableFrom().isAfter(now));
  }
}
