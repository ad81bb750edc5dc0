package io.insession.api;

import io.insession.config.InSessionConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Limits of the lookup API's HTTP server, so no client can make it hold memory or connections.
 *
 * @param maxRequestBytes the largest request body read; a larger one is answered 413
 * @param maxSessionIdChars the longest session id accepted on GET (path); a longer one is answered
 *     400 ({@code insession.event.max.session.id.chars}, the limit events are held to, so a session
 *     that can be written can be looked up)
 * @param idleTimeout how long a connection may stay without a byte read or written (slow headers
 *     included) before the server closes it; longer than the push stream's heartbeat
 */
public record HttpLimits(long maxRequestBytes, int maxSessionIdChars, Duration idleTimeout) {

  /** Validates the arguments. */
  public HttpLimits {
    if (maxRequestBytes < 1) {
      throw new IllegalArgumentException("maxRequestBytes must be >= 1: " + maxRequestBytes);
    }
    if (maxSessionIdChars < 1) {
      throw new IllegalArgumentException("maxSessionIdChars must be >= 1: " + maxSessionIdChars);
    }
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    if (idleTimeout.toMillis() < 1) {
      throw new IllegalArgumentException("idleTimeout must be at least 1 ms: " + idleTimeout);
    }
  }

  /** The limits from {@code config}. */
  public static HttpLimits from(final InSessionConfig config) {
    return new HttpLimits(
        config.getLong(InSessionConfig.API_MAX_REQUEST_BYTES),
        config.getInt(InSessionConfig.EVENT_MAX_SESSION_ID_CHARS),
        Duration.ofMillis(config.getLong(InSessionConfig.API_IDLE_TIMEOUT_MS)));
  }

  /** The defaults of {@link InSessionConfig}. */
  public static HttpLimits defaults() {
    return from(InSessionConfig.of(Map.of()));
  }

  /**
   * Checks that open push streams outlive the idle timeout: their heartbeat must come sooner.
   *
   * @throws IllegalArgumentException when the idle timeout is not longer than {@code heartbeat}
   */
  void requireLongerThan(final Duration heartbeat) {
    if (idleTimeout.compareTo(heartbeat) <= 0) {
      throw new IllegalArgumentException(
          "the idle timeout ("
              + idleTimeout
              + ") must be longer than the push stream's heartbeat ("
              + heartbeat
              + "), or open streams would be closed");
    }
  }

  /** Why a session id is refused; empty when it is accepted. */
  Optional<String> sessionIdProblem(final String sessionId) {
    if (sessionId.length() > maxSessionIdChars) {
      return Optional.of(
          "sessionId is "
              + sessionId.length()
              + " characters long; at most "
              + maxSessionIdChars
              + " are allowed");
    }
    return Optional.empty();
  }
}
