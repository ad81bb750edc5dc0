package io.insession.catalog;

import io.insession.schemas.CatalogItem;
import java.util.Iterator;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The catalogue as every streams instance holds it: a global RocksDB store, {@value #STORE_NAME},
 * filled from the whole compacted {@code item-catalog} topic (all partitions, on every instance) by
 * {@link Updater}. A record puts the item, a tombstone deletes it. Global stores are restored from
 * the topic itself, so they need no changelog.
 */
public final class CatalogStore implements ItemCatalog {

  /** Name of the global store. */
  public static final String STORE_NAME = "item-catalog-store";

  /** Name of the processor that applies the topic to the store. */
  public static final String UPDATER_NAME = "item-catalog-updater";

  /** Name of the topic's source node. */
  public static final String SOURCE_NAME = "item-catalog-source";

  private final ReadOnlyKeyValueStore<String, CatalogItem> store;

  public CatalogStore(final ReadOnlyKeyValueStore<String, CatalogItem> store) {
    this.store = store;
  }

  @Override
  public CatalogItem item(final String itemId) {
    return store.get(itemId);
  }

  /** The store, persistent (RocksDB), without changelog (the topic is its log). */
  public static StoreBuilder<KeyValueStore<String, CatalogItem>> storeBuilder(
      final Serde<CatalogItem> values) {
    return Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(STORE_NAME), Serdes.String(), values)
        .withLoggingDisabled();
  }

  /**
   * Applies each catalogue record to the global store: put, or delete on a tombstone; tells its
   * {@link CatalogListener} of each change (and, at start, of the whole restored store: one scan
   * per start, never per record).
   */
  public static final class Updater implements Processor<String, CatalogItem, Void, Void> {

    private final CatalogListener listener;
    private KeyValueStore<String, CatalogItem> store;

    /** An updater nobody listens to. */
    public Updater() {
      this(CatalogListener.NONE);
    }

    public Updater(final CatalogListener listener) {
      this.listener = listener;
    }

    @Override
    public void init(final ProcessorContext<Void, Void> context) {
      store = context.getStateStore(STORE_NAME);
      if (listener != CatalogListener.NONE) {
        try (KeyValueIterator<String, CatalogItem> all = store.all()) {
          listener.reloaded(
              new Iterator<>() {
                @Override
                public boolean hasNext() {
                  return all.hasNext();
                }

                @Override
                public CatalogItem next() {
                  return all.next().value;
                }
              });
        }
      }
    }

    @Override
    public void process(final Record<String, CatalogItem> record) {
      if (record.key() == null) {
        return;
      }
      final CatalogItem previous =
          listener == CatalogListener.NONE ? null : store.get(record.key());
      if (record.value() == null) {
        store.delete(record.key());
      } else {
        store.put(record.key(), record.value());
      }
      if (listener != CatalogListener.NONE) {
        listener.changed(record.key(), previous, record.value());
      }
    }
  }
}
