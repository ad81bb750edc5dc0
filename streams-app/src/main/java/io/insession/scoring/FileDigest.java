package io.insession.scoring;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * Expected SHA-256 and size of one bundle file, as listed under {@code files} in metadata.json.
 *
 * @param sha256 lower-case hex SHA-256 of the file's bytes
 * @param bytes the file's size in bytes
 */
public record FileDigest(String sha256, long bytes) {
  public FileDigest {
    Objects.requireNonNull(sha256, "sha256");
    sha256 = sha256.toLowerCase(Locale.ROOT);
    if (!sha256.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("sha256 must be 64 hex digits, got '" + sha256 + "'");
    }
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes must be >= 0, got " + bytes);
    }
  }

  /** The size and SHA-256 of {@code file} as it is now. */
  public static FileDigest of(final Path file) throws IOException {
    final MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (final NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
    long bytes = 0;
    try (InputStream in = Files.newInputStream(file)) {
      final byte[] buffer = new byte[1 << 16];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
        bytes += n;
      }
    }
    return new FileDigest(HexFormat.of().formatHex(digest.digest()), bytes);
  }
}
