package io.insession.api;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the push stream ({@code GET /v1/sessions/{sessionId}/recommendations/stream}).
 *
 * @param maxSubscribers most open streams per API instance; one more is answered 503
 * @param heartbeat how often each open stream gets a comment line, so that proxies keep it open and
 *     a client that went away is noticed
 */
public record PushSettings(int maxSubscribers, Duration heartbeat) {

  /** Open streams per instance when no limit is given. */
  public static final int DEFAULT_MAX_SUBSCRIBERS = 10_000;

  /** Heartbeat period when none is given. */
  public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(15);

  /** Validates the arguments. */
  public PushSettings {
    if (maxSubscribers < 1) {
      throw new IllegalArgumentException("maxSubscribers must be >= 1: " + maxSubscribers);
    }
    Objects.requireNonNull(heartbeat, "heartbeat");
    if (heartbeat.toMillis() < 1) {
      throw new IllegalArgumentException("heartbeat must be at least 1 ms: " + heartbeat);
    }
  }

  /** The defaults: 10,000 streams, a heartbeat every 15 s. */
  public static PushSettings defaults() {
    return new PushSettings(DEFAULT_MAX_SUBSCRIBERS, DEFAULT_HEARTBEAT);
  }
}
