package io.insession.demo;

import io.insession.catalog.CatalogEntry;
import io.insession.catalog.CatalogStore;
import io.insession.catalog.CatalogWriter;
import io.insession.catalog.SyntheticCatalog;
import io.insession.config.InSessionConfig;
import io.insession.data.Click;
import io.insession.schemas.CatalogItem;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The demo's catalogue part ({@code --catalog}): before the replay a SYNTHETIC catalogue of the
 * model's items is loaded onto the catalogue topic (made-up titles, categories and brands, every
 * record marked synthetic); halfway through, the item recommended most so far sells out, and a new
 * product that the model has never seen is listed, alike the item the second half views most. Each
 * change is written like {@code insession catalog load} writes it and waited for in the streams
 * app's own catalogue store, so the lists after it are known to see it.
 */
public final class CatalogShowcase {

  /** The id of the product listed halfway. */
  public static final String NEW_ITEM = "synthetic-new-item-1";

  /** The demo session that views the new item. */
  public static final String VIEWER = "demo-new-item-viewer";

  /** The seed of the demo's synthetic catalogue (its prices are the simulated shoppers' too). */
  static final int CATALOG_SEED = 1;

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final long POLL_MILLIS = 50;

  private final InSessionConfig config;
  private final KafkaStreams streams;
  private final PrintStream out;
  private final Clock clock;
  private final Map<String, CatalogItem> items = new HashMap<>();

  private CatalogShowcase(
      final InSessionConfig config,
      final KafkaStreams streams,
      final PrintStream out,
      final Clock clock) {
    this.config = config;
    this.streams = streams;
    this.out = out;
    this.clock = clock;
  }

  /**
   * Loads the synthetic catalogue of {@code itemIds} (all in stock, listed weeks ago) and waits
   * until the streams app's catalogue store holds it.
   */
  public static CatalogShowcase load(
      final InSessionConfig config,
      final KafkaStreams streams,
      final List<String> itemIds,
      final PrintStream out,
      final Clock clock)
      throws InterruptedException {
    final CatalogShowcase showcase = new CatalogShowcase(config, streams, out, clock);
    final List<CatalogEntry> entries = new ArrayList<>(itemIds.size());
    for (final CatalogItem item :
        SyntheticCatalog.generate(
            itemIds, CATALOG_SEED, clock.instant().minus(Duration.ofDays(30)))) {
      final CatalogItem inStock = CatalogItem.newBuilder(item).setInStock(true).build();
      showcase.items.put(item.getItemId(), inStock);
      entries.add(CatalogEntry.put(inStock));
    }
    CatalogWriter.write(config, entries, TIMEOUT);
    final String last = itemIds.get(itemIds.size() - 1);
    showcase.await(last, Objects::nonNull);
    out.printf(
        Locale.ROOT,
        "Loaded a SYNTHETIC catalogue of %d items (made-up titles, categories and brands, every"
            + " record marked synthetic: not a shop's data); rules %s.%n",
        entries.size(),
        config.ruleChain());
    return showcase;
  }

  /**
   * Halfway: {@code soldOut} sells out, and a new product alike the item {@code secondHalf} views
   * most is listed; the tracker learns when the streams app's store had each.
   */
  public void halfway(
      final String soldOut, final List<Click> secondHalf, final CatalogTracker tracker)
      throws InterruptedException {
    final CatalogItem outOfStock =
        CatalogItem.newBuilder(items.get(soldOut)).setInStock(false).build();
    CatalogWriter.write(config, List.of(CatalogEntry.put(outOfStock)), TIMEOUT);
    await(soldOut, item -> item != null && !item.getInStock());
    tracker.soldOut(soldOut, clock.instant());
    out.printf(
        Locale.ROOT,
        "── Sold out: %s (%s), the item recommended most so far (%d lists); the available rule"
            + " drops it from every later list.%n",
        soldOut,
        items.get(soldOut).getTitle(),
        tracker.listsWith(soldOut));
    final String twin = mostViewed(secondHalf);
    final CatalogItem product =
        CatalogItem.newBuilder(items.get(twin))
            .setItemId(NEW_ITEM)
            .setTitle("Synthetic new item 1")
            .setFirstSeen(clock.instant())
            .build();
    CatalogWriter.write(config, List.of(CatalogEntry.put(product)), TIMEOUT);
    await(NEW_ITEM, Objects::nonNull);
    tracker.listed(NEW_ITEM, clock.instant());
    out.printf(
        Locale.ROOT,
        "── New item listed: %s (%s, %s), which the model has never seen; alike %s, the item"
            + " the rest of the replay views most. The content route blends it into lists of"
            + " sessions viewing alike items.%n",
        NEW_ITEM,
        String.join(" > ", product.getCategoryPath()),
        product.getBrand(),
        twin);
  }

  private static String mostViewed(final List<Click> clicks) {
    final Map<String, Integer> views = new HashMap<>();
    for (final Click click : clicks) {
      views.merge(click.itemId(), 1, Integer::sum);
    }
    return views.entrySet().stream()
        .max(
            Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
        .orElseThrow()
        .getKey();
  }

  /** Waits until the streams app's catalogue store has {@code itemId} as {@code wanted} says. */
  private void await(final String itemId, final Predicate<CatalogItem> wanted)
      throws InterruptedException {
    final long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      final ReadOnlyKeyValueStore<String, CatalogItem> store =
          streams.store(
              StoreQueryParameters.fromNameAndType(
                  CatalogStore.STORE_NAME,
                  QueryableStoreTypes.<String, CatalogItem>keyValueStore()));
      if (wanted.test(store.get(itemId))) {
        return;
      }
      Thread.sleep(POLL_MILLIS);
    }
    throw new IllegalStateException(
        "the streams app's catalogue store did not show the update of "
            + itemId
            + " within "
            + TIMEOUT.toSeconds()
            + " s; see the log");
  }
}
