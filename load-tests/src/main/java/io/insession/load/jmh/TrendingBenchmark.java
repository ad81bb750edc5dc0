package io.insession.load.jmh;

import io.insession.avro.AvroSingleObjectSerde;
import io.insession.catalog.SyntheticCatalog;
import io.insession.schemas.CatalogItem;
import io.insession.schemas.TrendingCount;
import io.insession.schemas.TrendingItem;
import io.insession.schemas.TrendingList;
import io.insession.trending.Trending;
import io.insession.trending.TrendingCountProcessor;
import io.insession.trending.TrendingMerge;
import io.insession.trending.TrendingScopes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * Live trending's costs (docs/trending.md): {@link #countOneEvent} is what the counting task does
 * per item event (a catalogue get and Avro decode for the category, a get, decode, decay, encode
 * and put of the item's count; RocksDB, without Streams' cache and changelog), {@link
 * #mergeOneScope} what a cold-start list or a lookup API fallback costs (the shares of {@code
 * shares} counting tasks of {@code topN} items each merged into one list).
 *
 * <p>{@code load-tests/run jmh 'io.insession.load.jmh.TrendingBenchmark'}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TrendingBenchmark {

  private static final long HALF_LIFE = 3_600_000L;
  private static final int EVENTS = 1 << 16;
  private static final int LENGTH = 20;

  @Param("100000")
  public int items;

  @Param("4")
  public int shares;

  @Param("100")
  public int topN;

  private Path dir;
  private RocksDB catalogue;
  private RocksDB counts;
  private final AvroSingleObjectSerde<CatalogItem> catalogSerde =
      AvroSingleObjectSerde.forType(CatalogItem.class);
  private final AvroSingleObjectSerde<TrendingCount> countSerde =
      AvroSingleObjectSerde.forType(TrendingCount.class);
  private byte[][] events;
  private long eventTime;
  private int next;
  private List<TrendingList> published;

  @Setup
  public void setUp() throws IOException, RocksDBException {
    RocksDB.loadLibrary();
    dir = Files.createTempDirectory("trending-benchmark-");
    try (Options options = new Options().setCreateIfMissing(true)) {
      catalogue = RocksDB.open(options, dir.resolve("catalogue").toString());
      counts = RocksDB.open(options, dir.resolve("counts").toString());
    }
    final Instant now = Instant.now();
    eventTime = now.toEpochMilli();
    for (int i = 0; i < items; i++) {
      final String id = "item-" + i;
      catalogue.put(key(id), catalogSerde.serialize("catalog", SyntheticCatalog.item(id, 1, now)));
    }
    // item events skewed towards few items: the square of a uniform draw
    final SplittableRandom random = new SplittableRandom(42);
    events = new byte[EVENTS][];
    for (int i = 0; i < EVENTS; i++) {
      final double u = random.nextDouble();
      events[i] = key("item-" + (int) (u * u * items));
    }
    published = new ArrayList<>(shares);
    for (int share = 0; share < shares; share++) {
      final List<TrendingItem> best = new ArrayList<>(topN);
      for (int i = 0; i < topN; i++) {
        best.add(new TrendingItem("item-" + (share + shares * i), 1000.0 - i));
      }
      published.add(
          new TrendingList(TrendingScopes.ALL, share, now.minusSeconds(share), HALF_LIFE, best));
    }
  }

  private static byte[] key(final String itemId) {
    return itemId.getBytes(StandardCharsets.UTF_8);
  }

  @TearDown
  public void tearDown() throws IOException {
    catalogue.close();
    counts.close();
    TempDirectories.deleteTree(dir);
  }

  /** One item event counted, as {@link TrendingCountProcessor#process} does it. */
  @Benchmark
  public TrendingCount countOneEvent() throws RocksDBException {
    final byte[] item = events[next++ & (EVENTS - 1)];
    final byte[] listed = catalogue.get(item);
    final List<String> path =
        listed == null ? List.of() : catalogSerde.deserialize("catalog", listed).getCategoryPath();
    final byte[] stored = counts.get(item);
    final TrendingCount count =
        TrendingCountProcessor.counted(
            stored == null ? null : countSerde.deserialize("counts", stored),
            eventTime += 7,
            path,
            HALF_LIFE);
    counts.put(item, countSerde.serialize("counts", count));
    return count;
  }

  /** One scope's list merged from every counting task's share. */
  @Benchmark
  public Trending mergeOneScope() {
    return TrendingMerge.merge(TrendingScopes.ALL, published, LENGTH);
  }
}
