package io.insession.load.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The benchmarks' scratch directories (RocksDB files). */
final class TempDirectories {

  private TempDirectories() {}

  /** Deletes {@code dir} and everything below it. */
  static void deleteTree(final Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(TempDirectories::delete);
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
