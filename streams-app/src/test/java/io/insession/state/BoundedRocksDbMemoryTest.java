package io.insession.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.insession.config.InSessionConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.state.internals.BlockBasedTableConfigWithAccessibleCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Cache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/** The setter on real RocksDB options, as Kafka Streams prepares and hands them over. */
class BoundedRocksDbMemoryTest {

  /** Options as Kafka Streams makes them before calling the setter (its table config type). */
  private static Options streamsOptions() {
    final Options options = new Options();
    options.setTableFormatConfig(new BlockBasedTableConfigWithAccessibleCache());
    return options;
  }

  private static BlockBasedTableConfigWithAccessibleCache table(final Options options) {
    return (BlockBasedTableConfigWithAccessibleCache) options.tableFormatConfig();
  }

  private static void configure(
      final String store, final Options options, final Map<String, Object> configs) {
    new BoundedRocksDbMemory().setConfig(store, options, configs);
  }

  @Test
  void shouldShareOneCacheAndOneWriteBufferManagerBetweenStores() {
    try (Options first = streamsOptions();
        Options second = streamsOptions()) {
      configure("session-state", first, Map.of());
      configure("pending-events", second, Map.of("unrelated.kafka.key", 1));

      final BoundedRocksDbMemory.Shared process =
          BoundedRocksDbMemory.shared(BoundedRocksDbMemory.Budget.from(Map.of()));
      assertThat(table(first).blockCache())
          .isNotNull()
          .isSameAs(table(second).blockCache())
          .isSameAs(process.cache());
      assertThat(first.writeBufferManager())
          .isNotNull()
          .isSameAs(second.writeBufferManager())
          .isSameAs(process.writeBufferManager());
      assertThat(table(first).cacheIndexAndFilterBlocks()).isTrue();
      assertThat(table(first).cacheIndexAndFilterBlocksWithHighPriority()).isTrue();
      assertThat(table(first).pinTopLevelIndexAndFilter()).isTrue();
      assertThat(first.maxWriteBufferNumber()).isEqualTo(3);
    }
  }

  @Test
  void shouldTakeTheWriteBufferCountFromTheStreamsConfigAsNumberOrText() {
    try (Options typed = streamsOptions();
        Options text = streamsOptions()) {
      configure("a", typed, Map.of(InSessionConfig.ROCKSDB_WRITE_BUFFER_COUNT, 5));
      configure("b", text, Map.of(InSessionConfig.ROCKSDB_WRITE_BUFFER_COUNT, "4"));

      assertThat(typed.maxWriteBufferNumber()).isEqualTo(5);
      assertThat(text.maxWriteBufferNumber()).isEqualTo(4);
    }
  }

  @Test
  void shouldRejectAMalformedOrOutOfRangeSettingByName() {
    try (Options options = streamsOptions()) {
      assertThatThrownBy(
              () -> configure("s", options, Map.of(InSessionConfig.ROCKSDB_MEMORY_BYTES, "64MiB")))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining(InSessionConfig.ROCKSDB_MEMORY_BYTES)
          .hasMessageContaining("64MiB");
      assertThatThrownBy(
              () -> configure("s", options, Map.of(InSessionConfig.ROCKSDB_MEMTABLE_FRACTION, 1.5)))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining(InSessionConfig.ROCKSDB_MEMTABLE_FRACTION);
      assertThat(options.writeBufferManager()).as("nothing installed on error").isNull();
    }
  }

  @Test
  void shouldChargeAStoresMemtablesToTheSharedCache(@TempDir final Path dir) throws Exception {
    try (Options options = streamsOptions()) {
      options.setCreateIfMissing(true);
      configure("session-state", options, Map.of());
      final Cache cache = table(options).blockCache();
      final long before = cache.getUsage();

      try (RocksDB db = RocksDB.open(options, dir.toString())) {
        db.put("s1".getBytes(StandardCharsets.UTF_8), new byte[1024]);

        assertThat(cache.getUsage()).isGreaterThan(before);
      }
    }
  }
}
