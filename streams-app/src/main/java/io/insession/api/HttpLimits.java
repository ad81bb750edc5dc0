package io.insession.api;

import io.insession.config.InSessionConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Limits of the lookup API's HTTP server, so no client can make it hold memory, connections or
 * threads. Each refusal is a 4xx, counted in {@code insession_http_requests_refused_total{reason}}.
 *
 * @param maxRequestBytes the largest request body read; a larger one is answered 413
 * @param maxSessionIdChars the longest session id accepted on GET (path); a longer one is answered
 *     400 ({@code insession.event.max.session.id.chars}, the limit events are held to, so a session
 *     that can be written can be looked up)
 * @param idleTimeout how long a connection may stay without a byte read or written (slow headers
 *     included) before the server closes it; longer than the push stream's heartbeat
 * @param maxHeaderBytes the largest request line plus headers; more is answered 431 (414 for the
 *     request line) by Jetty
 * @param maxJsonDepth the deepest nesting of a request body's JSON; deeper is answered 400 {@code
 *     JSON_TOO_DEEP}
 * @param maxJsonArrayElements the most elements of any array of a request body's JSON; more is
 *     answered 400 {@code JSON_ARRAY_TOO_LONG}
 * @param minRequestBytesPerSecond the slowest a request body may arrive (0: not checked)
 * @param maxStreamsPerClient the most open push streams per client address; one more is answered
 *     429 {@code TOO_MANY_STREAMS_PER_CLIENT}
 * @param maxThreads the most threads of each HTTP server (Jetty's pool, acceptors and selectors
 *     included); requests beyond them queue. A read-your-writes wait or an idle push stream holds
 *     none
 */
public record HttpLimits(
    long maxRequestBytes,
    int maxSessionIdChars,
    Duration idleTimeout,
    int maxHeaderBytes,
    int maxJsonDepth,
    int maxJsonArrayElements,
    long minRequestBytesPerSecond,
    int maxStreamsPerClient,
    int maxThreads) {

  /** The defaults of {@link InSessionConfig}, for the limits the short constructor leaves out. */
  private static final InSessionConfig DEFAULTS = InSessionConfig.of(Map.of());

  /** Fewest threads a server may have: Jetty's acceptor and selectors need some of them. */
  static final int MIN_THREADS = 8;

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
    if (maxHeaderBytes < 1) {
      throw new IllegalArgumentException("maxHeaderBytes must be >= 1: " + maxHeaderBytes);
    }
    if (maxJsonDepth < 2) {
      throw new IllegalArgumentException("maxJsonDepth must be >= 2: " + maxJsonDepth);
    }
    if (maxJsonArrayElements < 1) {
      throw new IllegalArgumentException(
          "maxJsonArrayElements must be >= 1: " + maxJsonArrayElements);
    }
    if (minRequestBytesPerSecond < 0) {
      throw new IllegalArgumentException(
          "minRequestBytesPerSecond must be >= 0: " + minRequestBytesPerSecond);
    }
    if (maxStreamsPerClient < 1) {
      throw new IllegalArgumentException(
          "maxStreamsPerClient must be >= 1: " + maxStreamsPerClient);
    }
    if (maxThreads < MIN_THREADS) {
      throw new IllegalArgumentException(
          "maxThreads must be >= " + MIN_THREADS + ": " + maxThreads);
    }
  }

  /** The given body, id and idle limits; the defaults of {@link InSessionConfig} for the rest. */
  public HttpLimits(
      final long maxRequestBytes, final int maxSessionIdChars, final Duration idleTimeout) {
    this(
        maxRequestBytes,
        maxSessionIdChars,
        idleTimeout,
        DEFAULTS.getInt(InSessionConfig.API_MAX_HEADER_BYTES),
        DEFAULTS.getInt(InSessionConfig.API_MAX_JSON_DEPTH),
        DEFAULTS.getInt(InSessionConfig.API_MAX_JSON_ARRAY_ELEMENTS),
        DEFAULTS.getLong(InSessionConfig.API_MIN_REQUEST_BYTES_PER_S),
        DEFAULTS.getInt(InSessionConfig.API_STREAM_MAX_PER_CLIENT),
        DEFAULTS.getInt(InSessionConfig.API_HTTP_MAX_THREADS));
  }

  /** The limits from {@code config}. */
  public static HttpLimits from(final InSessionConfig config) {
    return new HttpLimits(
        config.getLong(InSessionConfig.API_MAX_REQUEST_BYTES),
        config.getInt(InSessionConfig.EVENT_MAX_SESSION_ID_CHARS),
        Duration.ofMillis(config.getLong(InSessionConfig.API_IDLE_TIMEOUT_MS)),
        config.getInt(InSessionConfig.API_MAX_HEADER_BYTES),
        config.getInt(InSessionConfig.API_MAX_JSON_DEPTH),
        config.getInt(InSessionConfig.API_MAX_JSON_ARRAY_ELEMENTS),
        config.getLong(InSessionConfig.API_MIN_REQUEST_BYTES_PER_S),
        config.getInt(InSessionConfig.API_STREAM_MAX_PER_CLIENT),
        config.getInt(InSessionConfig.API_HTTP_MAX_THREADS));
  }

  /** The defaults of {@link InSessionConfig}. */
  public static HttpLimits defaults() {
    return from(DEFAULTS);
  }

  /** A copy with another limit of open push streams per client address. */
  public HttpLimits withMaxStreamsPerClient(final int max) {
    return new HttpLimits(
        maxRequestBytes,
        maxSessionIdChars,
        idleTimeout,
        maxHeaderBytes,
        maxJsonDepth,
        maxJsonArrayElements,
        minRequestBytesPerSecond,
        max,
        maxThreads);
  }

  /** A copy with another most threads per HTTP server. */
  public HttpLimits withMaxThreads(final int max) {
    return new HttpLimits(
        maxRequestBytes,
        maxSessionIdChars,
        idleTimeout,
        maxHeaderBytes,
        maxJsonDepth,
        maxJsonArrayElements,
        minRequestBytesPerSecond,
        maxStreamsPerClient,
        max);
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

  /**
   * Checks that a full batch of events fits the JSON array limit.
   *
   * @throws IllegalArgumentException when {@code maxBatchEvents} exceeds {@link
   *     #maxJsonArrayElements()}
   */
  void requireArraysOf(final int maxBatchEvents) {
    if (maxBatchEvents > maxJsonArrayElements) {
      throw new IllegalArgumentException(
          "a batch of "
              + maxBatchEvents
              + " events (insession.api.collector.max.batch.events) would exceed the JSON array"
              + " limit of "
              + maxJsonArrayElements
              + " (insession.api.max.json.array.elements)");
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
