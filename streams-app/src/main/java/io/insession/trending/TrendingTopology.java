package io.insession.trending;

import io.insession.catalog.CatalogStore;
import io.insession.kafka.Topic;
import io.insession.kafka.ValueSerdes;
import io.insession.schemas.TrendingCount;
import io.insession.schemas.TrendingList;
import io.insession.schemas.WeblogEvent;
import io.insession.session.EventSemantics;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The trending branch of the topology (docs/trending.md):
 *
 * <pre>
 * valid events ─▶ trending-items (item events → item id, event time) ─▶ trending-by-item (repartition)
 *   ─▶ trending-count [trending-counts, trending-published-scopes] ─▶ trending-sink (trending topic)
 *
 * trending-source ─▶ [trending-store] (global store: every instance merges the shares of a scope)
 * </pre>
 */
public final class TrendingTopology {

  /** Name of the repartition step that puts every event of an item on one task. */
  public static final String BY_ITEM = "trending-by-item";

  /** Name of the counting processor. */
  public static final String COUNT_NODE = "trending-count";

  private TrendingTopology() {}

  /**
   * Adds the counting branch on {@code valid} events and the global store of the lists. The
   * topology must hold the catalogue's global store ({@link CatalogStore}): the counting task reads
   * each item's category there.
   */
  public static void add(
      final StreamsBuilder builder,
      final KStream<String, WeblogEvent> valid,
      final Topic<String, TrendingList> topic,
      final TrendingSettings settings) {
    builder.addStateStore(countsStore());
    builder.addStateStore(scopesStore());
    builder.addGlobalStore(
        TrendingStore.storeBuilder(topic.valueSerde()),
        topic.name(),
        Consumed.with(topic.keySerde(), topic.valueSerde()).withName(TrendingStore.SOURCE_NAME),
        TrendingStore.Updater::new);
    valid
        .filter(
            (session, event) ->
                event.getItemId() != null && EventSemantics.advancesModel(event.getEventType()),
            Named.as("trending-item-events"))
        .map(
            (session, event) ->
                KeyValue.pair(event.getItemId(), event.getEventTime().toEpochMilli()),
            Named.as("trending-items"))
        .repartition(
            Repartitioned.<String, Long>as(BY_ITEM)
                .withKeySerde(Serdes.String())
                .withValueSerde(Serdes.Long()))
        .process(
            () ->
                new TrendingCountProcessor(
                    settings,
                    context -> new CatalogStore(context.getStateStore(CatalogStore.STORE_NAME))),
            Named.as(COUNT_NODE),
            TrendingCountProcessor.COUNTS_STORE,
            TrendingCountProcessor.SCOPES_STORE)
        .to(
            topic.name(),
            Produced.with(topic.keySerde(), topic.valueSerde()).withName("trending-sink"));
  }

  private static StoreBuilder<KeyValueStore<String, TrendingCount>> countsStore() {
    return Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(TrendingCountProcessor.COUNTS_STORE),
            Serdes.String(),
            ValueSerdes.storeValue(TrendingCount.class))
        .withLoggingEnabled(Map.of());
  }

  private static StoreBuilder<KeyValueStore<String, Long>> scopesStore() {
    return Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(TrendingCountProcessor.SCOPES_STORE),
            Serdes.String(),
            Serdes.Long())
        .withLoggingEnabled(Map.of());
  }
}
