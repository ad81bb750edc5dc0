package io.insession.http;

import io.insession.config.InSessionConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.apache.kafka.common.config.ConfigException;

/**
 * Who may call the HTTP servers and how often: authentication (API keys and/or bearer JWTs, or
 * none), rate limits per key and per client address, and the CORS origins. Immutable; built from
 * the config by {@link #from}, where the keys are read from their file or environment variable
 * (never from the command line, never logged).
 *
 * @param authRequired whether requests need credentials ({@code insession.api.auth=required})
 * @param keys the API keys (possibly none)
 * @param jwt the bearer-token checker; empty when no JWKS file is configured
 * @param perKey the rate limit per key or token subject (each server counts with its own {@link
 *     RateLimiter#copy()})
 * @param perAddress the rate limit per client address (likewise per server)
 * @param corsOrigins origins allowed to call from a browser ({@code *} for any); empty for none
 * @param corsMaxAgeSeconds how long a browser may cache a preflight's answer
 */
public record HttpSecurity(
    boolean authRequired,
    ApiKeys keys,
    Optional<JwtTokens> jwt,
    RateLimiter perKey,
    RateLimiter perAddress,
    List<String> corsOrigins,
    int corsMaxAgeSeconds) {

  /** Validates and copies. */
  public HttpSecurity {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(jwt, "jwt");
    Objects.requireNonNull(perKey, "perKey");
    Objects.requireNonNull(perAddress, "perAddress");
    corsOrigins = List.copyOf(corsOrigins);
    if (authRequired && keys.size() == 0 && jwt.isEmpty()) {
      throw new IllegalArgumentException(
          "authentication is required but no credentials are configured");
    }
  }

  /**
   * No authentication, no rate limits, no CORS: for tests of other behaviour and for embedding on a
   * private interface. A server started with it logs that authentication is off.
   */
  public static HttpSecurity none() {
    return new HttpSecurity(
        false,
        ApiKeys.parse("", "none"),
        Optional.empty(),
        new RateLimiter(0, 1, System::nanoTime),
        new RateLimiter(0, 1, System::nanoTime),
        List.of(),
        0);
  }

  /** The settings of {@code config}, reading keys from the process environment. */
  public static HttpSecurity from(final InSessionConfig config) {
    return from(config, System.getenv(), System::nanoTime);
  }

  /**
   * The settings of {@code config}.
   *
   * @param environment where {@code insession.api.auth.keys.env} is looked up
   * @param nanoClock the rate limiters' clock
   * @throws ConfigException when authentication is required but no keys are configured, or a key
   *     source cannot be read or parsed
   */
  public static HttpSecurity from(
      final InSessionConfig config,
      final Map<String, String> environment,
      final LongSupplier nanoClock) {
    final boolean required =
        InSessionConfig.AUTH_REQUIRED.equals(config.getString(InSessionConfig.API_AUTH));
    final List<String> sources = new ArrayList<>();
    final StringBuilder keyLines = new StringBuilder();
    final String keysFile = config.getString(InSessionConfig.API_AUTH_KEYS_FILE).strip();
    if (!keysFile.isEmpty()) {
      keyLines.append(read(Path.of(keysFile), InSessionConfig.API_AUTH_KEYS_FILE)).append('\n');
      sources.add(keysFile);
    }
    final String keysEnv = config.getString(InSessionConfig.API_AUTH_KEYS_ENV).strip();
    if (!keysEnv.isEmpty()) {
      final String value = environment.get(keysEnv);
      if (value == null || value.isBlank()) {
        throw new ConfigException(
            InSessionConfig.API_AUTH_KEYS_ENV,
            keysEnv,
            "the environment variable " + keysEnv + " is not set or empty");
      }
      keyLines.append(value).append('\n');
      sources.add("$" + keysEnv);
    }
    final ApiKeys keys;
    final Optional<JwtTokens> jwt;
    try {
      keys = ApiKeys.parse(keyLines.toString(), String.join(" + ", sources));
      final String jwks = config.getString(InSessionConfig.API_AUTH_JWKS_FILE).strip();
      jwt =
          jwks.isEmpty()
              ? Optional.empty()
              : Optional.of(
                  JwtTokens.load(
                      Path.of(jwks),
                      config.getString(InSessionConfig.API_AUTH_JWT_ISSUER).strip(),
                      config.getString(InSessionConfig.API_AUTH_JWT_AUDIENCE).strip()));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
    if (required && keys.size() == 0 && jwt.isEmpty()) {
      throw new ConfigException(
          InSessionConfig.API_AUTH
              + "="
              + InSessionConfig.AUTH_REQUIRED
              + " (the default) but no credentials are configured: set "
              + InSessionConfig.API_AUTH_KEYS_FILE
              + ", "
              + InSessionConfig.API_AUTH_KEYS_ENV
              + " or "
              + InSessionConfig.API_AUTH_JWKS_FILE
              + " (docs/api-security.md), or "
              + InSessionConfig.API_AUTH
              + "="
              + InSessionConfig.AUTH_NONE
              + " to run without authentication on a private network");
    }
    final List<String> origins =
        config.getList(InSessionConfig.API_CORS_ALLOWED_ORIGINS).stream()
            .map(String::strip)
            .filter(origin -> !origin.isEmpty())
            .toList();
    return new HttpSecurity(
        required,
        keys,
        jwt,
        new RateLimiter(
            config.getDouble(InSessionConfig.API_RATE_PER_KEY),
            config.getInt(InSessionConfig.API_RATE_PER_KEY_BURST),
            nanoClock),
        new RateLimiter(
            config.getDouble(InSessionConfig.API_RATE_PER_ADDRESS),
            config.getInt(InSessionConfig.API_RATE_PER_ADDRESS_BURST),
            nanoClock),
        origins,
        config.getInt(InSessionConfig.API_CORS_MAX_AGE_S));
  }

  /**
   * Who {@code credential} (an API key or a bearer JWT) is.
   *
   * @throws IllegalArgumentException saying why it is refused; never containing the credential
   */
  public Principal authenticate(final String credential) {
    if (JwtTokens.looksLikeJwt(credential)) {
      if (jwt.isEmpty()) {
        throw new IllegalArgumentException("bearer JWTs are not accepted here (no JWKS file)");
      }
      return jwt.get().verify(credential);
    }
    return keys.find(credential).orElseThrow(() -> new IllegalArgumentException("unknown API key"));
  }

  /** What is on, for the start-up log (no secrets). */
  @Override
  public String toString() {
    return "HttpSecurity[auth="
        + (authRequired ? "required" : "NONE")
        + ", apiKeys="
        + keys.size()
        + ", jwksKeys="
        + jwt.map(JwtTokens::size).orElse(0)
        + ", ratePerKey="
        + perKey
        + ", ratePerAddress="
        + perAddress
        + ", corsOrigins="
        + corsOrigins
        + "]";
  }

  private static String read(final Path file, final String key) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(key, file.toString(), "cannot read the file: " + e);
    } catch (UncheckedIOException e) {
      throw new ConfigException(key, file.toString(), "cannot read the file: " + e.getCause());
    }
  }
}
