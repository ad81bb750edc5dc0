package io.insession.catalog;

import io.insession.schemas.CatalogItem;
import java.util.Objects;

/**
 * One record for the catalogue topic: an item's new record, or its deletion.
 *
 * @param itemId the key
 * @param item the new record, or null to delete the item (a tombstone)
 * @param line the line of the file it came from (1-based; 0 when not from a file)
 */
public record CatalogEntry(String itemId, CatalogItem item, int line) {
  public CatalogEntry {
    Objects.requireNonNull(itemId, "itemId");
    if (item != null && !item.getItemId().equals(itemId)) {
      throw new IllegalArgumentException(
          "key " + itemId + " differs from the record's itemId " + item.getItemId());
    }
  }

  /** An item's record. */
  public static CatalogEntry put(final CatalogItem item) {
    return new CatalogEntry(item.getItemId(), item, 0);
  }

  /** Whether this deletes the item. */
  public boolean deletes() {
    return item == null;
  }
}
