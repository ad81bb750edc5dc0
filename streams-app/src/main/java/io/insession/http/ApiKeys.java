package io.insession.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * API keys and what they grant, parsed from lines {@code NAME SCOPE[,SCOPE...] KEY} ({@code #}
 * starts a comment; blank lines are skipped). {@code KEY} is the secret itself (at least {@value
 * #MIN_KEY_CHARS} characters) or {@code sha256:<64 hex digits>}, its SHA-256. Only digests are kept
 * in memory; a presented key is hashed and looked up, so no comparison depends on the secret. Error
 * messages name the source and line, never a key.
 */
public final class ApiKeys {

  /** Shortest plain key accepted: 128 bits of randomness in hex is 32 characters. */
  static final int MIN_KEY_CHARS = 16;

  private static final String SHA256_PREFIX = "sha256:";

  private final Map<String, Principal> byDigest;

  private ApiKeys(final Map<String, Principal> byDigest) {
    this.byDigest = Map.copyOf(byDigest);
  }

  /**
   * Parses keys.
   *
   * @param text the lines (a {@code ;} also ends an entry, for environment variables)
   * @param source where they come from, for error messages (a file name, an env variable's name)
   * @throws IllegalArgumentException naming the source and line of a malformed entry
   */
  public static ApiKeys parse(final String text, final String source) {
    final Map<String, Principal> byDigest = new HashMap<>();
    final Set<String> names = new LinkedHashSet<>();
    final String[] lines = text.split("[\\n;]", -1);
    for (int i = 0; i < lines.length; i++) {
      final String line = stripComment(lines[i]).strip();
      if (line.isEmpty()) {
        continue;
      }
      final String where = source + " entry " + (i + 1);
      final String[] parts = line.split("\\s+");
      if (parts.length != 3) {
        throw new IllegalArgumentException(
            where + ": expected NAME SCOPE[,SCOPE...] KEY, found " + parts.length + " fields");
      }
      final String name = parts[0];
      if (!names.add(name)) {
        throw new IllegalArgumentException(where + ": key name " + name + " appears twice");
      }
      final Set<Scope> scopes = new LinkedHashSet<>();
      for (final String token : parts[1].split(",")) {
        scopes.add(
            Scope.parse(token)
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            where
                                + ": unknown scope '"
                                + token
                                + "' (events:write, recommendations:read, operate,"
                                + " metrics:read)")));
      }
      final String digest = digestOf(parts[2], where);
      if (byDigest.putIfAbsent(digest, new Principal("key:" + name, scopes)) != null) {
        throw new IllegalArgumentException(where + ": key " + name + " repeats another's secret");
      }
    }
    return new ApiKeys(byDigest);
  }

  /** The principal of {@code presented}, when it is one of the keys. */
  public Optional<Principal> find(final String presented) {
    return Optional.ofNullable(byDigest.get(sha256Hex(presented)));
  }

  /** How many keys there are. */
  public int size() {
    return byDigest.size();
  }

  /** The SHA-256 of {@code key} in lower-case hex, as a keys file may give it. */
  public static String sha256Hex(final String key) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static String digestOf(final String key, final String where) {
    if (key.regionMatches(true, 0, SHA256_PREFIX, 0, SHA256_PREFIX.length())) {
      final String hex = key.substring(SHA256_PREFIX.length()).toLowerCase(Locale.ROOT);
      if (!hex.matches("[0-9a-f]{64}")) {
        throw new IllegalArgumentException(where + ": sha256: must be followed by 64 hex digits");
      }
      return hex;
    }
    if (key.length() < MIN_KEY_CHARS) {
      throw new IllegalArgumentException(
          where + ": the key is shorter than " + MIN_KEY_CHARS + " characters");
    }
    return sha256Hex(key);
  }

  private static String stripComment(final String line) {
    final int hash = line.indexOf('#');
    return hash < 0 ? line : line.substring(0, hash);
  }
}
