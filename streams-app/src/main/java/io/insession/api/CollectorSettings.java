package io.insession.api;

import io.insession.config.InSessionConfig;
import io.insession.kafka.Topic;
import io.insession.schemas.WeblogEvent;
import io.insession.session.EventLimits;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of the event collector ({@code POST /v1/events}).
 *
 * @param weblog the topic events are produced to, with its serdes ({@code Topics.weblog()})
 * @param maxBatchEvents most events one request may carry
 * @param ackTimeout how long a request waits for Kafka to acknowledge its events before 503
 * @param limits the size and time limits of an event: the stream's own ({@code insession.event.*}),
 *     so an event the collector accepts is never dead-lettered by the stream for its sizes or time
 * @param maxWaiting the most requests with {@code ?wait_ms} (read-your-writes) waiting for their
 *     lists at once; one more is answered 503 {@code TOO_MANY_WAITING}
 */
public record CollectorSettings(
    Topic<String, WeblogEvent> weblog,
    int maxBatchEvents,
    Duration ackTimeout,
    EventLimits limits,
    int maxWaiting) {

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
    Objects.requireNonNull(limits, "limits");
    if (maxWaiting < 1) {
      throw new IllegalArgumentException("maxWaiting must be >= 1: " + maxWaiting);
    }
  }

  /** Settings with the default limit of waiting requests. */
  public CollectorSettings(
      final Topic<String, WeblogEvent> weblog,
      final int maxBatchEvents,
      final Duration ackTimeout,
      final EventLimits limits) {
    this(
        weblog,
        maxBatchEvents,
        ackTimeout,
        limits,
        InSessionConfig.of(Map.of()).getInt(InSessionConfig.API_COLLECTOR_WAIT_MAX_REQUESTS));
  }

  /** Settings with the default event limits. */
  public CollectorSettings(
      final Topic<String, WeblogEvent> weblog,
      final int maxBatchEvents,
      final Duration ackTimeout) {
    this(weblog, maxBatchEvents, ackTimeout, EventLimits.defaults());
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
        + ", limits="
        + limits
        + ", maxWaiting="
        + maxWaiting
        + "]";
  }
}
