package io.insession.trending;

import io.insession.schemas.TrendingList;
import io.insession.state.TopicToStore;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The trending lists as every streams instance holds them: a global in-memory store, {@value
 * #STORE_NAME}, filled from the whole compacted trending topic by {@link Updater} (a few shares per
 * scope: scopes × counting tasks records of at most {@code insession.trending.top.n} items). A
 * scope's list is read with one prefix scan over its shares and merged ({@link TrendingMerge}).
 */
public final class TrendingStore implements TrendingLists {

  /** Name of the global store. */
  public static final String STORE_NAME = "trending-store";

  /** Name of the processor that applies the topic to the store. */
  public static final String UPDATER_NAME = "trending-updater";

  /** Name of the topic's source node. */
  public static final String SOURCE_NAME = "trending-source";

  private static final StringSerializer KEYS = new StringSerializer();

  private final ReadOnlyKeyValueStore<String, TrendingList> store;

  public TrendingStore(final ReadOnlyKeyValueStore<String, TrendingList> store) {
    this.store = store;
  }

  @Override
  public Trending top(final String scope, final int count) {
    final List<TrendingList> shares = new ArrayList<>();
    try (KeyValueIterator<String, TrendingList> matching =
        store.prefixScan(TrendingScopes.keyPrefix(scope), KEYS)) {
      while (matching.hasNext()) {
        shares.add(matching.next().value);
      }
    }
    return TrendingMerge.merge(scope, shares, count);
  }

  /** The store: in memory (restored from the topic at start), without changelog. */
  public static StoreBuilder<KeyValueStore<String, TrendingList>> storeBuilder(
      final Serde<TrendingList> values) {
    return Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(STORE_NAME), Serdes.String(), values)
        .withLoggingDisabled();
  }

  /** Applies each trending record to the global store: put, or delete on a tombstone. */
  public static final class Updater extends TopicToStore<TrendingList> {
    public Updater() {
      super(STORE_NAME);
    }
  }
}
