package io.insession.topology;

import io.insession.catalog.CatalogListener;
import io.insession.catalog.CatalogStore;
import io.insession.content.ContentIndex;
import io.insession.experiments.ExperimentTopology;
import io.insession.kafka.JavaKeyPartitioner;
import io.insession.kafka.Topics;
import io.insession.kafka.ValueSerdes;
import io.insession.metrics.TopologyMetrics;
import io.insession.rules.VariantRuleChains;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.SessionState;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.CurrentVariants;
import io.insession.scoring.ScorerVariants;
import io.insession.scoring.SessionScorer;
import io.insession.session.SessionStates;
import io.insession.trending.TrendingTopology;
import java.time.Clock;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds the recommender topology: a pure function of its settings and collaborators, so tests and
 * the runner build exactly the same thing.
 *
 * <pre>
 * weblog-source ─┬─ weblog-in-place ─────────────────────────────────┬─ weblog-placed ─▶ validate-event ─┬─ valid ──▶ score-session [session-state, pending-events] ─▶ recommendations-sink
 *                 └─ weblog-misplaced ─▶ weblog-rerouted (repartition) ┘                                   └─ invalid ▶ dead-letter-sink
 *
 * item-catalog-source ─▶ [item-catalog-store] (global store, when a rule chain or trending reads the catalogue;
 *                         its updater keeps the content route's token index when a chain uses it)
 *
 * valid ─▶ trending-by-item (repartition) ─▶ trending-count ─▶ trending-sink; trending-source ─▶ [trending-store]
 *   (only with insession.trending.enabled; see {@link TrendingTopology})
 * valid events + lists out ─▶ experiment-attribution ─▶ experiment-merge ─▶ experiment-kpis-sink (ExperimentTopology)
 * </pre>
 *
 * <p>A producer whose partitioner is not the Java one (librdkafka's default CRC32, say) puts a
 * session's events on another partition than the Java collector does, so two tasks would each hold
 * half of the session. {@link KeyPlacementFilter} sends only the records that are not on their
 * key's murmur2 partition through the {@code weblog-rerouted} repartition topic, written with the
 * Java partitioner; the rest go straight on. Under exactly-once the hop is part of each task's
 * transaction, and records keep their order per source partition.
 */
public final class RecommenderTopology {

  private static final String BRANCH_PREFIX = "checked-";

  /** Name of the scoring processor (see {@link RecordProcessingExceptionHandler}). */
  public static final String SCORE_NODE = "score-session";

  private RecommenderTopology() {}

  /** The topology without metrics (tests that do not look at them), over a one-partition weblog. */
  public static Topology build(
      final TopologySettings settings,
      final SessionScorer scorer,
      final Topics topics,
      final Clock clock) {
    return build(settings, scorer, topics, clock, TopologyMetrics.NONE);
  }

  /** The topology over a one-partition weblog topic (tests, where every record is in place). */
  public static Topology build(
      final TopologySettings settings,
      final SessionScorer scorer,
      final Topics topics,
      final Clock clock,
      final TopologyMetrics metrics) {
    return build(settings, scorer, topics, clock, metrics, 1);
  }

  /**
   * The topology.
   *
   * @param settings session gap, list length, rules
   * @param scorer the model (shared by all stream threads)
   * @param topics names and serdes of the topics
   * @param clock the wall clock for {@code emittedAt}
   * @param metrics where the processors report events in, dead letters, lists out, latencies and
   *     active sessions (shared by all stream threads)
   * @param weblogPartitions the partition count of the weblog topic, over which a record's key
   *     partition (murmur2) is computed
   */
  public static Topology build(
      final TopologySettings settings,
      final SessionScorer scorer,
      final Topics topics,
      final Clock clock,
      final TopologyMetrics metrics,
      final int weblogPartitions) {
    return build(
        settings,
        new CurrentVariants(ScorerVariants.single(scorer)),
        topics,
        clock,
        metrics,
        weblogPartitions);
  }

  /**
   * The topology over a set of scorer variants: each session is scored by its variant's scorer
   * (assigned on its first event, kept in its state); the set is read once per batch.
   *
   * @param variants the variant set served now (shared by all stream threads)
   * @see #build(TopologySettings, SessionScorer, Topics, Clock, TopologyMetrics, int)
   */
  public static Topology build(
      final TopologySettings settings,
      final CurrentVariants variants,
      final Topics topics,
      final Clock clock,
      final TopologyMetrics metrics,
      final int weblogPartitions) {
    final StreamsBuilder builder = new StreamsBuilder();
    builder.addStateStore(sessionStore());
    final String[] stores =
        settings.batchMaxSize() > 1
            ? new String[] {SessionStates.STORE_NAME, ScoreSessionProcessor.PENDING_STORE}
            : new String[] {SessionStates.STORE_NAME};
    if (settings.batchMaxSize() > 1) {
      builder.addStateStore(pendingStore());
    }
    // the catalogue: read by the rule chain and the content route (whose token index the global
    // store's updater keeps up to date), and by trending for counts per category
    final ContentIndex content = new ContentIndex(settings.rules().content().itemsPerToken());
    if (settings.rules().needsCatalog() || settings.trending().enabled()) {
      addCatalog(builder, topics, settings.rules().usesContent() ? content : CatalogListener.NONE);
    }
    // one micro-batch per stream thread, shared by the processors of its tasks
    final ThreadLocal<ThreadBatch> threadBatches = ThreadLocal.withInitial(ThreadBatch::new);

    final Map<String, KStream<String, CheckedEvent>> checked =
        placedWeblog(builder, topics, weblogPartitions, metrics)
            .process(
                () ->
                    new ValidateEventProcessor(
                        topics.weblog().valueSerde().deserializer(), settings.safety(), metrics),
                Named.as("validate-event"))
            .split(Named.as(BRANCH_PREFIX))
            .branch((key, value) -> value instanceof CheckedEvent.Valid, Branched.as("valid"))
            .defaultBranch(Branched.as("invalid"));

    final KStream<String, WeblogEvent> valid =
        checked
            .get(BRANCH_PREFIX + "valid")
            .mapValues(value -> ((CheckedEvent.Valid) value).event(), Named.as("unwrap-valid"));
    if (settings.trending().enabled()) {
      TrendingTopology.add(builder, valid, topics.trending(), settings.trending());
    }
    final KStream<String, RecommendationList> lists =
        valid.process(
            () ->
                new ScoreSessionProcessor(
                    variants,
                    catalog ->
                        new VariantRuleChains(
                            settings.rules(),
                            settings.excludeSeen(),
                            settings.listLength(),
                            catalog,
                            content,
                            clock),
                    settings,
                    threadBatches::get,
                    clock,
                    metrics),
            Named.as(SCORE_NODE),
            stores);
    lists.to(
        topics.recommendations().name(),
        Produced.with(topics.recommendations().keySerde(), topics.recommendations().valueSerde())
            .withName("recommendations-sink"));
    ExperimentTopology.attach(
        builder,
        valid,
        lists,
        settings.experiments(),
        variants,
        topics,
        clock,
        settings.sessionGapMs(),
        settings.expiryScanIntervalMs(),
        settings.safety().recentEventIds());

    checked
        .get(BRANCH_PREFIX + "invalid")
        .map(
            (key, value) -> {
              final CheckedEvent.Invalid invalid = (CheckedEvent.Invalid) value;
              return KeyValue.pair(invalid.rawKey(), invalid.rawValue());
            },
            Named.as("unwrap-invalid"))
        .to(
            topics.deadLetter().name(),
            Produced.with(topics.deadLetter().keySerde(), topics.deadLetter().valueSerde())
                .withName("dead-letter-sink"));

    return builder.build();
  }

  /**
   * The raw weblog records, each on its key's murmur2 partition: those already there as they are,
   * the others after the {@code weblog-rerouted} hop.
   */
  private static KStream<byte[], byte[]> placedWeblog(
      final StreamsBuilder builder,
      final Topics topics,
      final int weblogPartitions,
      final TopologyMetrics metrics) {
    final KStream<byte[], byte[]> raw =
        builder.stream(
            topics.weblog().name(),
            Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
                .withTimestampExtractor(new SafeTimestampExtractor(metrics))
                .withName("weblog-source"));
    final KStream<byte[], byte[]> rerouted =
        raw.processValues(
                () -> KeyPlacementFilter.misplaced(weblogPartitions), Named.as("weblog-misplaced"))
            .repartition(
                Repartitioned.<byte[], byte[]>as("weblog-rerouted")
                    .withKeySerde(Serdes.ByteArray())
                    .withValueSerde(Serdes.ByteArray())
                    .withStreamPartitioner(new JavaKeyPartitioner()));
    return raw.processValues(
            () -> KeyPlacementFilter.inPlace(weblogPartitions), Named.as("weblog-in-place"))
        .merge(rerouted, Named.as("weblog-placed"));
  }

  /**
   * The catalogue as a global store: every instance reads all partitions of the compacted catalogue
   * topic into {@value CatalogStore#STORE_NAME}, and the catalogue rules look items up there by
   * key; {@code listener} (the content route's index) hears of every change.
   */
  private static void addCatalog(
      final StreamsBuilder builder, final Topics topics, final CatalogListener listener) {
    builder.addGlobalStore(
        CatalogStore.storeBuilder(topics.catalog().valueSerde()),
        topics.catalog().name(),
        Consumed.with(topics.catalog().keySerde(), topics.catalog().valueSerde())
            .withName(CatalogStore.SOURCE_NAME),
        () -> new CatalogStore.Updater(listener));
  }

  /** Events waiting for their micro-batch: in memory, but changelogged for exactly-once. */
  private static StoreBuilder<KeyValueStore<Long, WeblogEvent>> pendingStore() {
    return Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(ScoreSessionProcessor.PENDING_STORE),
            Serdes.Long(),
            ValueSerdes.storeValue(WeblogEvent.class))
        .withLoggingEnabled(Map.of());
  }

  private static StoreBuilder<KeyValueStore<String, SessionState>> sessionStore() {
    return Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(SessionStates.STORE_NAME),
            Serdes.String(),
            ValueSerdes.storeValue(SessionState.class))
        .withLoggingEnabled(Map.of());
  }
}
