package io.insession.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API keys and JWT keys in force, taken again from their files when these change: a key can be
 * added or revoked, a signing key rotated, with no restart. The files are looked at on the first
 * request after each reload interval (no thread of its own); only when the text of the keys file or
 * the JWKS file differs from the last read are they parsed again. A file that cannot be read or
 * parsed, or a change that would leave a server requiring authentication with no credential at all,
 * keeps the keys in force and is logged (the message names the file and line, never a key). Keys
 * from an environment variable are part of every parse but cannot change while the process runs.
 * Thread-safe: requests read an immutable snapshot; one of them at a time does the check.
 */
public final class Credentials {

  private static final Logger LOG = LoggerFactory.getLogger(Credentials.class);

  /** What a check reads: the key files, the fixed key lines, the JWT claims required. */
  record Sources(
      Optional<Path> keysFile,
      String fixedKeyLines,
      String fixedKeysSource,
      Optional<Path> jwksFile,
      String issuer,
      String audience) {

    Sources {
      Objects.requireNonNull(keysFile, "keysFile");
      Objects.requireNonNull(fixedKeyLines, "fixedKeyLines");
      Objects.requireNonNull(fixedKeysSource, "fixedKeysSource");
      Objects.requireNonNull(jwksFile, "jwksFile");
      Objects.requireNonNull(issuer, "issuer");
      Objects.requireNonNull(audience, "audience");
    }
  }

  /** Keys in force and the file texts they were parsed from. */
  private record Snapshot(
      ApiKeys keys, Optional<JwtTokens> jwt, Optional<String> keysText, Optional<String> jwksText) {

    boolean empty() {
      return keys.size() == 0 && jwt.isEmpty();
    }
  }

  private final Optional<Sources> sources;
  private final boolean required;
  private final long intervalNanos;
  private final LongSupplier nanoClock;
  private final ReentrantLock checking = new ReentrantLock();
  private volatile Snapshot current;
  private volatile long nextCheck;

  private Credentials(
      final Optional<Sources> sources,
      final boolean required,
      final Snapshot first,
      final long intervalNanos,
      final LongSupplier nanoClock) {
    this.sources = sources;
    this.required = required;
    this.current = first;
    this.intervalNanos = intervalNanos;
    this.nanoClock = nanoClock;
    this.nextCheck = nanoClock.getAsLong() + intervalNanos;
  }

  /** Keys that never change (tests, no authentication). */
  public static Credentials fixed(final ApiKeys keys, final Optional<JwtTokens> jwt) {
    return new Credentials(
        Optional.empty(),
        false,
        new Snapshot(keys, jwt, Optional.empty(), Optional.empty()),
        0,
        System::nanoTime);
  }

  /**
   * Reads the keys now, and again after every {@code reloadIntervalMs} when the files changed.
   *
   * @param sources where the keys come from
   * @param required whether a change that leaves no credential is refused (authentication on)
   * @param reloadIntervalMs how often the files are looked at; 0 for never
   * @param nanoClock the clock the interval is counted on
   * @throws IllegalArgumentException when a source cannot be read or parsed now
   */
  static Credentials watching(
      final Sources sources,
      final boolean required,
      final long reloadIntervalMs,
      final LongSupplier nanoClock) {
    if (reloadIntervalMs < 0) {
      throw new IllegalArgumentException("reloadIntervalMs must be >= 0: " + reloadIntervalMs);
    }
    final Optional<String> keysText = sources.keysFile().map(Credentials::read);
    final Optional<String> jwksText = sources.jwksFile().map(Credentials::read);
    return new Credentials(
        reloadIntervalMs == 0 ? Optional.empty() : Optional.of(sources),
        required,
        parse(sources, keysText, jwksText),
        reloadIntervalMs * 1_000_000L,
        nanoClock);
  }

  /**
   * Who {@code credential} (an API key or a bearer JWT) is, against the keys in force (looked at
   * again first when the reload interval has passed).
   *
   * @throws IllegalArgumentException saying why it is refused; never containing the credential
   */
  Principal authenticate(final String credential) {
    final Snapshot keys = current();
    if (JwtTokens.looksLikeJwt(credential)) {
      if (keys.jwt().isEmpty()) {
        throw new IllegalArgumentException("bearer JWTs are not accepted here (no JWKS file)");
      }
      return keys.jwt().get().verify(credential);
    }
    return keys.keys()
        .find(credential)
        .orElseThrow(() -> new IllegalArgumentException("unknown API key"));
  }

  /** Whether no key of either kind is in force. */
  boolean isEmpty() {
    return current.empty();
  }

  /** How many API keys are in force. */
  int apiKeys() {
    return current.keys().size();
  }

  /** How many JWT signing keys are in force. */
  int jwksKeys() {
    return current.jwt().map(JwtTokens::size).orElse(0);
  }

  /** Whether the files are looked at again while the process runs. */
  boolean reloads() {
    return sources.isPresent();
  }

  private Snapshot current() {
    if (sources.isPresent() && nanoClock.getAsLong() - nextCheck >= 0 && checking.tryLock()) {
      try {
        nextCheck = nanoClock.getAsLong() + intervalNanos;
        check(sources.get());
      } finally {
        checking.unlock();
      }
    }
    return current;
  }

  private void check(final Sources from) {
    final Snapshot before = current;
    final Optional<String> keysText;
    final Optional<String> jwksText;
    final Snapshot next;
    try {
      keysText = from.keysFile().map(Credentials::read);
      jwksText = from.jwksFile().map(Credentials::read);
      if (keysText.equals(before.keysText()) && jwksText.equals(before.jwksText())) {
        return;
      }
      next = parse(from, keysText, jwksText);
    } catch (IllegalArgumentException e) {
      LOG.error(
          "The changed API credentials are refused, the previous ones stay: {}", e.getMessage());
      return;
    }
    if (required && next.empty()) {
      LOG.error(
          "The changed API credentials are refused, the previous ones stay: they hold no key and"
              + " authentication is required");
      return;
    }
    current = next;
    LOG.info(
        "API credentials reloaded: {} API key(s) (were {}), {} JWT signing key(s) (were {})",
        next.keys().size(),
        before.keys().size(),
        next.jwt().map(JwtTokens::size).orElse(0),
        before.jwt().map(JwtTokens::size).orElse(0));
  }

  private static Snapshot parse(
      final Sources from, final Optional<String> keysText, final Optional<String> jwksText) {
    final List<String> names = new ArrayList<>();
    final StringBuilder lines = new StringBuilder();
    keysText.ifPresent(
        text -> {
          lines.append(text).append('\n');
          names.add(from.keysFile().orElseThrow().toString());
        });
    if (!from.fixedKeyLines().isBlank()) {
      lines.append(from.fixedKeyLines()).append('\n');
      names.add(from.fixedKeysSource());
    }
    final ApiKeys keys = ApiKeys.parse(lines.toString(), String.join(" + ", names));
    final Optional<JwtTokens> jwt =
        jwksText.map(
            json ->
                JwtTokens.parse(
                    json,
                    from.jwksFile().orElseThrow().toString(),
                    from.issuer(),
                    from.audience()));
    return new Snapshot(keys, jwt, keysText, jwksText);
  }

  private static String read(final Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the file " + file + ": " + e, e);
    }
  }
}
