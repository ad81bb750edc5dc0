package io.insession.state;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Applies each record of a compacted topic to a global store: a value puts it under its key, a
 * tombstone deletes the key; records without a key are skipped.
 */
public class TopicToStore<V> implements Processor<String, V, Void, Void> {

  private final String storeName;
  private KeyValueStore<String, V> store;

  /**
   * @param storeName the global store it writes
   */
  public TopicToStore(final String storeName) {
    this.storeName = storeName;
  }

  @Override
  public void init(final ProcessorContext<Void, Void> context) {
    store = context.getStateStore(storeName);
  }

  @Override
  public void process(final Record<String, V> record) {
    if (record.key() == null) {
      return;
    }
    if (record.value() == null) {
      store.delete(record.key());
    } else {
      store.put(record.key(), record.value());
    }
  }
}
