package io.insession.scoring;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.insession.testing.TestModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** The test bundles (made by model-exporter, see bundles/README.md) and ways to damage them. */
final class TestBundles {

  static final ObjectMapper JSON = new ObjectMapper();

  private TestBundles() {}

  /** The tiny bundle in test resources, as a directory on disk. */
  static Path tiny() {
    return named("tiny");
  }

  /** A bundle in test resources ({@code tiny}, or {@code tiny-int8} made from it by quantize). */
  static Path named(final String name) {
    return TestModels.bundleDir(name);
  }

  /** A copy of the tiny bundle in {@code dir}, to be damaged by a test. */
  static Path copyOfTiny(final Path dir) {
    return copyOf(dir, "tiny");
  }

  /** A copy of the test bundle {@code name} in {@code dir}, to be damaged by a test. */
  static Path copyOf(final Path dir, final String name) {
    final Path target = dir.resolve(name);
    try (Stream<Path> files = Files.list(named(name))) {
      Files.createDirectories(target);
      for (final Path file : files.toList()) {
        Files.copy(file, target.resolve(file.getFileName()));
      }
    } catch (final IOException e) {
      throw new UncheckedIOException(e);
    }
    return target;
  }

  /** Edits metadata.json in place. */
  static void editMetadata(final Path bundle, final Consumer<ObjectNode> edit) {
    final Path file = bundle.resolve("metadata.json");
    try {
      final ObjectNode root = (ObjectNode) JSON.readTree(file.toFile());
      edit.accept(root);
      JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
    } catch (final IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Rewrites the metadata's size and SHA-256 of {@code fileName} to match the file as it is now.
   */
  static void refreshDigest(final Path bundle, final String fileName) {
    final byte[] bytes = read(bundle.resolve(fileName));
    editMetadata(
        bundle,
        root -> {
          final ObjectNode entry = (ObjectNode) root.get("files").get(fileName);
          entry.put("sha256", sha256(bytes));
          entry.put("bytes", bytes.length);
        });
  }

  /** Flips all bits of the byte at {@code position}. */
  static void flipByte(final Path file, final int position) {
    final byte[] bytes = read(file);
    bytes[position] = (byte) ~bytes[position];
    write(file, bytes);
  }

  static byte[] read(final Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (final IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void write(final Path file, final byte[] bytes) {
    try {
      Files.write(file, bytes);
    } catch (final IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String sha256(final byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (final NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
