package io.insession.http;

import io.insession.config.InSessionConfig;
import java.nio.file.Path;
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
 * @param credentials the API keys and JWT signing keys in force (re-read from their files when
 *     these change, {@code insession.api.auth.reload.interval.ms})
 * @param perKey the rate limit per key or token subject (each server counts with its own {@link
 *     RateLimiter#copy()})
 * @param perAddress the rate limit per client address (likewise per server)
 * @param corsOrigins origins allowed to call from a browser ({@code *} for any); empty for none
 * @param corsMaxAgeSeconds how long a browser may cache a preflight's answer
 */
public record HttpSecurity(
    boolean authRequired,
    Credentials credentials,
    RateLimiter perKey,
    RateLimiter perAddress,
    List<String> corsOrigins,
    int corsMaxAgeSeconds) {

  /** Validates and copies. */
  public HttpSecurity {
    Objects.requireNonNull(credentials, "credentials");
    Objects.requireNonNull(perKey, "perKey");
    Objects.requireNonNull(perAddress, "perAddress");
    corsOrigins = List.copyOf(corsOrigins);
    if (authRequired && credentials.isEmpty()) {
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
        Credentials.fixed(ApiKeys.parse("", "none"), Optional.empty()),
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
    final String keysFile = config.getString(InSessionConfig.API_AUTH_KEYS_FILE).strip();
    final String keysEnv = config.getString(InSessionConfig.API_AUTH_KEYS_ENV).strip();
    final String envKeys = keysEnv.isEmpty() ? "" : environment.getOrDefault(keysEnv, "");
    if (!keysEnv.isEmpty() && envKeys.isBlank()) {
      throw new ConfigException(
          InSessionConfig.API_AUTH_KEYS_ENV,
          keysEnv,
          "the environment variable " + keysEnv + " is not set or empty");
    }
    final String jwks = config.getString(InSessionConfig.API_AUTH_JWKS_FILE).strip();
    final Credentials credentials;
    try {
      credentials =
          Credentials.watching(
              new Credentials.Sources(
                  keysFile.isEmpty() ? Optional.empty() : Optional.of(Path.of(keysFile)),
                  envKeys,
                  "$" + keysEnv,
                  jwks.isEmpty() ? Optional.empty() : Optional.of(Path.of(jwks)),
                  config.getString(InSessionConfig.API_AUTH_JWT_ISSUER).strip(),
                  config.getString(InSessionConfig.API_AUTH_JWT_AUDIENCE).strip()),
              required,
              config.getLong(InSessionConfig.API_AUTH_RELOAD_INTERVAL_MS),
              nanoClock);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
    if (required && credentials.isEmpty()) {
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
        credentials,
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
    return credentials.authenticate(credential);
  }

  /** What is on, for the start-up log (no secrets). */
  @Override
  public String toString() {
    return "HttpSecurity[auth="
        + (authRequired ? "required" : "NONE")
        + ", apiKeys="
        + credentials.apiKeys()
        + ", jwksKeys="
        + credentials.jwksKeys()
        + ", reloads="
        + credentials.reloads()
        + ", ratePerKey="
        + perKey
        + ", ratePerAddress="
        + perAddress
        + ", corsOrigins="
        + corsOrigins
        + "]";
  }
}
