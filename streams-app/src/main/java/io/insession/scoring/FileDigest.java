package io.insession.scoring;

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
}
