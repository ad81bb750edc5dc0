package io.insession.state;

import io.insession.config.InSessionConfig;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.TableFormatConfig;
import org.rocksdb.WriteBufferManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the off-heap memory of every RocksDB store of the process ({@code rocksdb.config.setter},
 * installed by {@code runtime.RecommenderStreams.streamsProperties}), after Kafka Streams' "bounded
 * memory" recipe: one {@link LRUCache} of {@code insession.rocksdb.memory.bytes} for data, index
 * and filter blocks, and one {@link WriteBufferManager} that charges the memtables of all stores to
 * that same cache, flushing once they pass {@code insession.rocksdb.memtable.fraction} of it.
 *
 * <p>Kafka Streams makes one instance per store instance; the cache and the write buffer manager
 * are shared by all of them, made once from the first store's settings and never closed (they live
 * as long as the process). The bound is RocksDB's, so it is soft: the cache is not strict (a strict
 * one fails reads when full), and pinned blocks or iterators can briefly exceed it.
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {

  private static final Logger LOG = LoggerFactory.getLogger(BoundedRocksDbMemory.class);

  /** Share of the cache kept for index and filter blocks (they are evicted last). */
  static final double INDEX_AND_FILTER_RATIO = 0.1;

  private static Shared shared;

  /** The memory settings of one store, from the config map Kafka Streams passes. */
  record Budget(long totalBytes, double memtableFraction, int writeBufferCount) {

    long memtableBytes() {
      return (long) (totalBytes * memtableFraction);
    }

    /** Reads (and validates) the {@code insession.rocksdb.*} keys; defaults for missing ones. */
    static Budget from(final Map<String, ?> configs) {
      final Map<String, String> rocksDb = new TreeMap<>();
      configs.forEach(
          (key, value) -> {
            if (key.startsWith(InSessionConfig.ROCKSDB_PREFIX) && value != null) {
              rocksDb.put(key, String.valueOf(value));
            }
          });
      final InSessionConfig config = InSessionConfig.of(rocksDb);
      return new Budget(
          config.getLong(InSessionConfig.ROCKSDB_MEMORY_BYTES),
          config.getDouble(InSessionConfig.ROCKSDB_MEMTABLE_FRACTION),
          config.getInt(InSessionConfig.ROCKSDB_WRITE_BUFFER_COUNT));
    }

    boolean sharesMemoryWith(final Budget other) {
      return totalBytes == other.totalBytes && memtableFraction == other.memtableFraction;
    }
  }

  /** The process-wide cache and write buffer manager, and the budget they were made from. */
  record Shared(Budget budget, Cache cache, WriteBufferManager writeBufferManager) {}

  /** The shared objects, made from {@code budget} when this is the first store of the process. */
  static synchronized Shared shared(final Budget budget) {
    if (shared == null) {
      RocksDB.loadLibrary();
      final Cache cache = new LRUCache(budget.totalBytes(), -1, false, INDEX_AND_FILTER_RATIO);
      shared = new Shared(budget, cache, new WriteBufferManager(budget.memtableBytes(), cache));
      LOG.info(
          "RocksDB memory of all stores bounded to {} bytes (memtables up to {} bytes)",
          budget.totalBytes(),
          budget.memtableBytes());
    } else if (!shared.budget().sharesMemoryWith(budget)) {
      LOG.warn(
          "RocksDB memory is already bounded by {} for this process; ignoring {} (the first"
              + " store's settings apply to all)",
          shared.budget(),
          budget);
    }
    return shared;
  }

  @Override
  public void setConfig(
      final String storeName, final Options options, final Map<String, Object> configs) {
    final Budget budget = Budget.from(configs);
    final Shared memory = shared(budget);
    final TableFormatConfig format = options.tableFormatConfig();
    if (!(format instanceof BlockBasedTableConfig)) {
      throw new IllegalStateException(
          "store " + storeName + ": expected Kafka Streams' block-based table, found " + format);
    }
    // change the table config Kafka Streams made (not a new one): its metrics read the cache there
    final BlockBasedTableConfig table = (BlockBasedTableConfig) format;
    table.setBlockCache(memory.cache());
    table.setCacheIndexAndFilterBlocks(true);
    table.setCacheIndexAndFilterBlocksWithHighPriority(true);
    table.setPinTopLevelIndexAndFilter(true);
    options.setTableFormatConfig(table);
    options.setWriteBufferManager(memory.writeBufferManager());
    options.setMaxWriteBufferNumber(budget.writeBufferCount());
  }

  /** Closes nothing: the cache and write buffer manager are shared, and nothing is per store. */
  @Override
  public void close(final String storeName, final Options options) {}
}
