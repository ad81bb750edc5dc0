package io.insession.catalog;

import io.insession.schemas.CatalogItem;
import java.util.Iterator;

/**
 * Told of every change the catalogue follower applies to the global store, as records arrive (e.g.
 * to keep an incremental index of the catalogue beside the store). Called on the follower's (global
 * stream) thread.
 */
public interface CatalogListener {

  /** Listens to nothing. */
  CatalogListener NONE =
      new CatalogListener() {
        @Override
        public void reloaded(final Iterator<CatalogItem> items) {}

        @Override
        public void changed(
            final String itemId, final CatalogItem previous, final CatalogItem current) {}
      };

  /**
   * The store as it is when the follower starts (after it was restored): forget what was known and
   * take these records. Called once per start, before any {@link #changed}.
   */
  void reloaded(Iterator<CatalogItem> items);

  /**
   * One record applied.
   *
   * @param previous the item's record before, or null when it was not listed
   * @param current its new record, or null when a tombstone deleted it
   */
  void changed(String itemId, CatalogItem previous, CatalogItem current);
}
