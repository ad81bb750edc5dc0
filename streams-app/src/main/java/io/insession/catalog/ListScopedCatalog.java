package io.insession.catalog;

import io.insession.schemas.CatalogItem;
import java.util.HashMap;
import java.util.Map;

/**
 * Looks each item up in the underlying catalogue at most once per list: the rules of one chain (and
 * its backfill run) ask for the same candidates, and each store lookup is a RocksDB get plus an
 * Avro decode. {@link #newList()} starts a list; a catalogue update between two lists is seen by
 * the next. Per thread: each stream thread ranks its own lists.
 */
public final class ListScopedCatalog implements ItemCatalog {

  /** Stands for "not listed" in the memo (a map value cannot be null). */
  private static final CatalogItem UNLISTED = new CatalogItem();

  private final ItemCatalog catalog;
  private final ThreadLocal<Map<String, CatalogItem>> memo = ThreadLocal.withInitial(HashMap::new);

  public ListScopedCatalog(final ItemCatalog catalog) {
    this.catalog = catalog;
  }

  /** Forgets the lookups of the previous list (on the calling thread). */
  public void newList() {
    memo.get().clear();
  }

  @Override
  public CatalogItem item(final String itemId) {
    final Map<String, CatalogItem> seen = memo.get();
    CatalogItem item = seen.get(itemId);
    if (item == null) {
      final CatalogItem found = catalog.item(itemId);
      item = found == null ? UNLISTED : found;
      seen.put(itemId, item);
    }
    return item == UNLISTED ? null : item;
  }
}
