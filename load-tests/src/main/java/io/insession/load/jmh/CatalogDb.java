package io.insession.load.jmh;

import io.insession.avro.AvroSingleObjectSerde;
import io.insession.catalog.ItemCatalog;
import io.insession.schemas.CatalogItem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * A catalogue in a temporary RocksDB database, looked up as the streams app's global store does it:
 * a RocksDB get plus the Avro decode of the record. For the rule chain and content route
 * benchmarks.
 */
final class CatalogDb implements ItemCatalog, AutoCloseable {

  private final Path dir;
  private final RocksDB db;
  private final AvroSingleObjectSerde<CatalogItem> serde =
      AvroSingleObjectSerde.forType(CatalogItem.class);

  CatalogDb() throws IOException, RocksDBException {
    RocksDB.loadLibrary();
    dir = Files.createTempDirectory("catalog-benchmark-");
    try (Options options = new Options().setCreateIfMissing(true)) {
      db = RocksDB.open(options, dir.toString());
    }
  }

  void put(final CatalogItem item) throws RocksDBException {
    db.put(key(item.getItemId()), serde.serialize("catalog", item));
  }

  @Override
  public CatalogItem item(final String itemId) {
    try {
      final byte[] value = db.get(key(itemId));
      return value == null ? null : serde.deserialize("catalog", value);
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] key(final String itemId) {
    return itemId.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    db.close();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(CatalogDb::delete);
    }
  }

  private static void delete(final Path path) {
    try {
      Files.delete(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
