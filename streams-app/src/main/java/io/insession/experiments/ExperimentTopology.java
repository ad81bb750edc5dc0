package io.insession.experiments;

import io.insession.kafka.Topics;
import io.insession.kafka.ValueSerdes;
import io.insession.schemas.KpiPartial;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.SessionAttribution;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.CurrentVariants;
import java.time.Clock;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The experiment part of the recommender topology (docs/experiments.md):
 *
 * <pre>
 * valid events ─▶ experiment-events ─┐
 *                                     ├─ experiment-inputs ─▶ experiment-attribution [experiment-attribution, experiment-partials]
 * lists out ───▶ experiment-lists ───┘      ─▶ experiment-partials (repartition by experiment id)
 *                                            ─▶ experiment-merge [experiment-merged] ─▶ experiment-kpis-sink
 * </pre>
 *
 * <p>Sessions are keyed by session id, so each task holds whole sessions and counts them exactly;
 * its sums per experiment, variant and window go, keyed by experiment id, through one repartition
 * topic to the task that merges them. Both processors and all three stores are named, so their
 * changelogs survive edits of the rest of the topology.
 */
public final class ExperimentTopology {

  private ExperimentTopology() {}

  /**
   * Adds the experiment processors to {@code builder}.
   *
   * @param events the valid weblog events, keyed by session id
   * @param lists the lists the topology emits (and the tombstones of forgotten sessions)
   * @param sessionGapMs inactivity after which a session ends
   * @param expiryScanIntervalMs how often idle sessions are removed
   * @param recentEventIds how many event ids a session remembers against duplicates
   */
  public static void attach(
      final StreamsBuilder builder,
      final KStream<String, WeblogEvent> events,
      final KStream<String, RecommendationList> lists,
      final ExperimentSettings settings,
      final CurrentVariants variants,
      final Topics topics,
      final Clock clock,
      final long sessionGapMs,
      final long expiryScanIntervalMs,
      final int recentEventIds) {
    if (!settings.enabled()) {
      return;
    }
    builder.addStateStore(
        store(
            AttributionProcessor.SESSIONS_STORE, ValueSerdes.storeValue(SessionAttribution.class)));
    builder.addStateStore(
        store(AttributionProcessor.PARTIALS_STORE, ValueSerdes.storeValue(KpiPartial.class)));
    builder.addStateStore(
        store(KpiMergeProcessor.MERGED_STORE, ValueSerdes.storeValue(KpiPartial.class)));
    events
        .mapValues(ExperimentInput::event, Named.as("experiment-events"))
        .merge(
            lists.mapValues(ExperimentInput::shown, Named.as("experiment-lists")),
            Named.as("experiment-inputs"))
        .process(
            () ->
                new AttributionProcessor(
                    variants, settings, sessionGapMs, expiryScanIntervalMs, recentEventIds, clock),
            Named.as("experiment-attribution"),
            AttributionProcessor.SESSIONS_STORE,
            AttributionProcessor.PARTIALS_STORE)
        .repartition(
            Repartitioned.<String, KpiPartial>as("experiment-partials")
                .withKeySerde(Serdes.String())
                .withValueSerde(ValueSerdes.storeValue(KpiPartial.class)))
        .process(
            () -> new KpiMergeProcessor(settings, clock),
            Named.as("experiment-merge"),
            KpiMergeProcessor.MERGED_STORE)
        .to(
            topics.experiments().name(),
            Produced.with(topics.experiments().keySerde(), topics.experiments().valueSerde())
                .withName("experiment-kpis-sink"));
  }

  private static <V> StoreBuilder<KeyValueStore<String, V>> store(
      final String name, final org.apache.kafka.common.serialization.Serde<V> values) {
    return Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(name), Serdes.String(), values)
        .withLoggingEnabled(Map.of());
  }
}
