package io.insession.testing;

import io.insession.catalog.CatalogStore;
import io.insession.runtime.RecommenderService;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * How much of a loaded catalogue the stream's global catalogue store holds. The store is filled in
 * the background; until it holds the whole catalogue, the rule {@code available} drops the items
 * not yet listed and lists are filled from further down, so a test that compares lists waits for it
 * first.
 */
public final class CatalogueInStore {

  private CatalogueInStore() {}

  /** Entries in the global catalogue store of {@code service}'s stream now. */
  public static long entries(final RecommenderService service) {
    final ReadOnlyKeyValueStore<String, Object> store =
        service
            .streams()
            .streams()
            .store(
                StoreQueryParameters.fromNameAndType(
                    CatalogStore.STORE_NAME, QueryableStoreTypes.keyValueStore()));
    long count = 0;
    try (KeyValueIterator<String, Object> all = store.all()) {
      while (all.hasNext()) {
        all.next();
        count++;
      }
    }
    return count;
  }
}
