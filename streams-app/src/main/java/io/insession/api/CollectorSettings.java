package io.insession.api;

import io.insession.config.InSessionConfig;
import io.insession.kafka.Topic;
import io.insession.schemas.WeblogEvent;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of the event collector ({@code POST /v1/events}).
 *
 * @param weblog the topic events are produced to, with its serdes ({@code Topics.weblog()})
 * @param maxBatchEvents most events one request may carry
 * @param ackTimeout how long a request waits for Kafka to acknowledge its events before 503
 * @param maxFuture how far ahead of the collector's clock an event time may be before 400 (the
 *     broker's {@code message.timestamp.after.max.ms}: it would refuse the record)
 */
public record CollectorSettings(
    Topic<String, WeblogEvent> weblog,
    int maxBatchEvents,
    Duration ackTimeout,
    Duration maxFuture) {

  /** Events per request when no limit is given. */
  public static final int DEFAULT_MAX_BATCH_EVENTS = 500;

  /** Wait for the acknowledgement when none is given. */
  public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofSeconds(5);

  /** Validates the arguments. */
  public CollectorSettings {
    Objects.requireNonNull(weblog, "weblog");
    if (maxBatchEvents < 1) {
      throw new IllegalArgumentException("maxBatchEvents must be >= 1: " + maxBatchEvents);
    }
    Objects.requireNonNull(ackTimeout, "ackTimeout");
    if (ackTimeout.isNegative() || ackTimeout.isZero()) {
      throw new IllegalArgumentException("ackTimeout must be positive: " + ackTimeout);
    }
    Objects.requireNonNull(maxFuture, "maxFuture");
    if (maxFuture.isNegative()) {
      throw new IllegalArgumentException("maxFuture must not be negative: " + maxFuture);
    }
  }

  /** Settings with the default bound on future event times. */
  public CollectorSettings(
      final Topic<String, WeblogEvent> weblog,
      final int maxBatchEvents,
      final Duration ackTimeout) {
    this(weblog, maxBatchEvents, ackTimeout, defaultMaxFuture());
  }

  /** The default of {@code insession.api.collector.max.future.ms}. */
  static Duration defaultMaxFuture() {
    return Duration.ofMillis(
        InSessionConfig.of(Map.of()).getLong(InSessionConfig.API_COLLECTOR_MAX_FUTURE_MS));
  }

  /** Settings for {@code weblog} with the default batch limit and timeout. */
  public static CollectorSettings of(final Topic<String, WeblogEvent> weblog) {
    return new CollectorSettings(weblog, DEFAULT_MAX_BATCH_EVENTS, DEFAULT_ACK_TIMEOUT);
  }

  @Override
  public String toString() {
    return "CollectorSettings[topic="
        + weblog.name()
        + ", maxBatchEvents="
        + maxBatchEvents
        + ", ackTimeout="
        + ackTimeout
        + ", maxFuture="
        + maxFuture
        + "]";
  }
}
