package io.insession.api;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.insession.schemas.WeblogEvent;
import io.insession.session.EventLimits;
import io.insession.session.ForgetRequests;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The event collector behind {@code POST /v1/events}: parses and checks a request's events ({@link
 * EventParser}, the stream's own rules), then writes all of them to an {@link EventSink} and waits
 * for the acknowledgement. A request with any bad event writes nothing.
 *
 * <p>As a {@link MeterBinder} it counts {@code insession_collector_events_accepted_total}, {@code
 * insession_collector_requests_rejected_total} (400) and {@code
 * insession_collector_requests_unacknowledged_total} (503), and binds the sink's meters when it has
 * any.
 */
public final class EventCollector implements AutoCloseable, MeterBinder {

  private final EventParser parser;
  private final EventSink sink;
  private final Clock clock;
  private final AtomicBoolean closed = new AtomicBoolean();
  private Counter accepted;
  private Counter rejected;
  private Counter unacknowledged;

  /**
   * A collector.
   *
   * @param sink where accepted events go; owned by the collector from now on
   * @param maxBatchEvents most events per request
   * @param clock the time of events that carry none
   */
  public EventCollector(final EventSink sink, final int maxBatchEvents, final Clock clock) {
    this(sink, maxBatchEvents, EventLimits.defaults(), clock);
  }

  /**
   * A collector.
   *
   * @param sink where accepted events go; owned by the collector from now on
   * @param maxBatchEvents most events per request
   * @param limits the size and time limits of an event (else 400)
   * @param clock the time of events that carry none, and the arrival time of every event
   */
  public EventCollector(
      final EventSink sink, final int maxBatchEvents, final EventLimits limits, final Clock clock) {
    this.sink = Objects.requireNonNull(sink, "sink");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.parser =
        new EventParser(
            new ObjectMapper(), maxBatchEvents, limits, clock, () -> UUID.randomUUID().toString());
  }

  /** A collector producing to the weblog topic of {@code settings.collector()}. */
  public static EventCollector create(final LookupApiSettings settings) {
    final CollectorSettings collector =
        Objects.requireNonNull(settings.collector(), "settings.collector");
    return new EventCollector(
        KafkaEventSink.create(settings),
        collector.maxBatchEvents(),
        collector.limits(),
        Clock.systemUTC());
  }

  /**
   * The answer to an accepted request.
   *
   * @param accepted how many events were written
   * @param eventIds their ids, given or generated, in request order
   */
  @JsonPropertyOrder({"accepted", "eventIds"})
  public record Accepted(int accepted, List<String> eventIds) {
    /** Copies the ids. */
    public Accepted {
      eventIds = List.copyOf(eventIds);
    }
  }

  /**
   * Collects the events of one request body.
   *
   * @return what was written, once Kafka acknowledged all of it
   * @throws InvalidEventsException when the body or any event is invalid; nothing was written
   * @throws NotAcknowledgedException when Kafka did not acknowledge in time (retryable)
   * @throws EventsRefusedException when Kafka refused the events themselves (not retryable)
   */
  public Accepted collect(final String body) {
    return collect(body, events -> {});
  }

  /**
   * The same, calling {@code beforeWrite} with the valid events just before they are written (a
   * watcher of their lists subscribes there, {@link ReadYourWrites}); if it throws, nothing is
   * written.
   */
  public Accepted collect(final String body, final Consumer<List<WeblogEvent>> beforeWrite) {
    final List<WeblogEvent> events;
    try {
      events = parser.parse(body);
    } catch (InvalidEventsException e) {
      count(rejected);
      throw e;
    }
    beforeWrite.accept(events);
    try {
      sink.write(events);
    } catch (NotAcknowledgedException e) {
      count(unacknowledged);
      throw e;
    } catch (EventsRefusedException e) {
      count(rejected);
      throw e;
    }
    if (accepted != null) {
      accepted.increment(events.size());
    }
    return new Accepted(events.size(), events.stream().map(WeblogEvent::getEventId).toList());
  }

  /**
   * Writes the control record that forgets {@code sessionId} ({@link ForgetRequests}) to the sink:
   * the stream then deletes the session's state and tombstones its lists. Idempotent: an unknown
   * session is forgotten all the same.
   *
   * @return the control record's event id, once Kafka acknowledged it
   * @throws NotAcknowledgedException when Kafka did not acknowledge in time (retryable)
   */
  public String forget(final String sessionId) {
    final WeblogEvent control =
        ForgetRequests.of(sessionId, UUID.randomUUID().toString(), clock.instant());
    try {
      sink.write(List.of(control));
    } catch (NotAcknowledgedException e) {
      count(unacknowledged);
      throw e;
    }
    return control.getEventId();
  }

  @Override
  public void bindTo(final MeterRegistry registry) {
    accepted =
        Counter.builder("insession.collector.events.accepted")
            .description("Events accepted by POST /v1/events and acknowledged by Kafka")
            .register(registry);
    rejected =
        Counter.builder("insession.collector.requests.rejected")
            .description("POST /v1/events requests refused as invalid (400)")
            .register(registry);
    unacknowledged =
        Counter.builder("insession.collector.requests.unacknowledged")
            .description("POST /v1/events requests Kafka did not acknowledge in time (503)")
            .register(registry);
    if (sink instanceof MeterBinder binder) {
      binder.bindTo(registry);
    }
  }

  /** Closes the sink. Safe to call more than once. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      sink.close();
    }
  }

  private static void count(final Counter counter) {
    if (counter != null) {
      counter.increment();
    }
  }
}
