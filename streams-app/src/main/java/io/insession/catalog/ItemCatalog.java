package io.insession.catalog;

import io.insession.schemas.CatalogItem;

/** Looks items up in the shop's catalogue: one key lookup per item, never a scan. */
public interface ItemCatalog {

  /** A catalogue that lists nothing (no catalogue rule in use). */
  ItemCatalog EMPTY = itemId -> null;

  /**
   * The item's catalogue record.
   *
   * @return the record, or null when the catalogue does not list the item (never loaded, or deleted
   *     by a tombstone)
   */
  CatalogItem item(String itemId);
}
