package io.insession.trending;

import io.insession.catalog.ItemCatalog;
import io.insession.schemas.CatalogItem;
import io.insession.schemas.TrendingCount;
import io.insession.schemas.TrendingItem;
import io.insession.schemas.TrendingList;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Function;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Counts item events, decayed by event time, and publishes this task's best items per scope.
 *
 * <p>Input: one record per item event, keyed by item id (the events were repartitioned by item, so
 * every event of an item is counted by one task), valued with the event time. Per event: one get
 * and one put on {@value #COUNTS_STORE} ({@link Decay#add}) and, with a catalogue, one catalogue
 * get for the item's category path (kept with the count). O(1) per event.
 *
 * <p>A wall-clock punctuator every {@code insession.trending.publish.interval.ms}, when the task
 * counted something since its last publication, scans the task's counts once: it decays them to the
 * task's newest event time ({@code asOf}), forgets those below {@code
 * insession.trending.min.score}, keeps the best {@code insession.trending.top.n} per scope in
 * bounded heaps, and forwards one {@link TrendingList} per scope, keyed {@code scope#partition}; a
 * scope it published before and has no item in now gets a tombstone ({@value #SCOPES_STORE}
 * remembers which it published, across restarts). Decay follows event time, so replays and tests
 * give the same scores; publication follows the wall clock, so a task publishes while events flow.
 */
public final class TrendingCountProcessor implements Processor<String, Long, String, TrendingList> {

  /** Name of the store of decayed counts per item (changelogged). */
  public static final String COUNTS_STORE = "trending-counts";

  /** Name of the store of the scopes this task published (changelogged). */
  public static final String SCOPES_STORE = "trending-published-scopes";

  /** Worst first: lower score, then the larger item id. */
  private static final Comparator<Map.Entry<String, Double>> WORST_FIRST =
      Map.Entry.<String, Double>comparingByValue()
          .thenComparing(Map.Entry.<String, Double>comparingByKey().reversed());

  private final TrendingSettings settings;
  private final Function<ProcessorContext<?, ?>, ItemCatalog> catalogs;
  private ProcessorContext<String, TrendingList> context;
  private KeyValueStore<String, TrendingCount> counts;
  private KeyValueStore<String, Long> published;
  private ItemCatalog catalog;
  private boolean dirty = true;

  /**
   * @param catalogs the catalogue to read categories from, given the context (e.g. the global
   *     store); {@link ItemCatalog#EMPTY} counts every item overall only
   */
  public TrendingCountProcessor(
      final TrendingSettings settings,
      final Function<ProcessorContext<?, ?>, ItemCatalog> catalogs) {
    this.settings = settings;
    this.catalogs = catalogs;
  }

  @Override
  public void init(final ProcessorContext<String, TrendingList> context) {
    this.context = context;
    this.counts = context.getStateStore(COUNTS_STORE);
    this.published = context.getStateStore(SCOPES_STORE);
    this.catalog = catalogs.apply(context);
    context.schedule(
        Duration.ofMillis(settings.publishIntervalMs()),
        PunctuationType.WALL_CLOCK_TIME,
        now -> publish());
  }

  @Override
  public void process(final Record<String, Long> record) {
    if (record.key() == null || record.value() == null) {
      return;
    }
    final long eventTime = record.value();
    final TrendingCount previous = counts.get(record.key());
    final CatalogItem item = catalog.item(record.key());
    final List<String> path = item == null ? List.of() : item.getCategoryPath();
    counts.put(record.key(), counted(previous, eventTime, path, settings.halfLifeMs()));
    dirty = true;
  }

  /**
   * An item's count after one more event at {@code eventTime}, with the category path of its latest
   * catalogue record.
   *
   * @param previous the count so far, or null for the item's first event
   */
  public static TrendingCount counted(
      final TrendingCount previous,
      final long eventTime,
      final List<String> categoryPath,
      final long halfLifeMs) {
    return previous == null
        ? new TrendingCount(1.0, eventTime, categoryPath)
        : new TrendingCount(
            Decay.add(previous.getScore(), previous.getAt(), eventTime, halfLifeMs),
            Math.max(previous.getAt(), eventTime),
            categoryPath);
  }

  /** Publishes this task's best items per scope (see the class comment). */
  void publish() {
    if (!dirty) {
      return;
    }
    dirty = false;
    long asOf = Long.MIN_VALUE;
    try (KeyValueIterator<String, TrendingCount> all = counts.all()) {
      while (all.hasNext()) {
        asOf = Math.max(asOf, all.next().value.getAt());
      }
    }
    final Map<String, PriorityQueue<Map.Entry<String, Double>>> best = new HashMap<>();
    final List<String> forgotten = new ArrayList<>();
    if (asOf != Long.MIN_VALUE) {
      try (KeyValueIterator<String, TrendingCount> all = counts.all()) {
        while (all.hasNext()) {
          final KeyValue<String, TrendingCount> entry = all.next();
          final double score =
              Decay.at(entry.value.getScore(), entry.value.getAt(), asOf, settings.halfLifeMs());
          if (score < settings.minScore()) {
            forgotten.add(entry.key);
            continue;
          }
          for (final String scope : TrendingScopes.of(entry.value.getCategoryPath())) {
            final PriorityQueue<Map.Entry<String, Double>> heap =
                best.computeIfAbsent(scope, s -> new PriorityQueue<>(WORST_FIRST));
            heap.add(Map.entry(entry.key, score));
            if (heap.size() > settings.topN()) {
              heap.poll();
            }
          }
        }
      }
    }
    forgotten.forEach(counts::delete);
    final int partition = context.taskId().partition();
    final long timestamp = asOf == Long.MIN_VALUE ? context.currentSystemTimeMs() : asOf;
    final List<String> gone = new ArrayList<>();
    try (KeyValueIterator<String, Long> all = published.all()) {
      while (all.hasNext()) {
        final String scope = all.next().key;
        if (!best.containsKey(scope)) {
          gone.add(scope);
        }
      }
    }
    for (final String scope : gone) {
      published.delete(scope);
      context.forward(
          new Record<String, TrendingList>(TrendingScopes.key(scope, partition), null, timestamp));
    }
    for (final Map.Entry<String, PriorityQueue<Map.Entry<String, Double>>> scope :
        best.entrySet()) {
      final List<Map.Entry<String, Double>> items = new ArrayList<>(scope.getValue());
      items.sort(TrendingMerge.BEST_FIRST);
      final List<TrendingItem> listed = new ArrayList<>(items.size());
      for (final Map.Entry<String, Double> item : items) {
        listed.add(new TrendingItem(item.getKey(), item.getValue()));
      }
      context.forward(
          new Record<>(
              TrendingScopes.key(scope.getKey(), partition),
              new TrendingList(
                  scope.getKey(),
                  partition,
                  Instant.ofEpochMilli(asOf),
                  settings.halfLifeMs(),
                  listed),
              timestamp));
      published.put(scope.getKey(), asOf);
    }
  }
}
