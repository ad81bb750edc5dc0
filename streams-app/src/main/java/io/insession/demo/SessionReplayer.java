package io.insession.demo;

import io.insession.data.Click;
import io.insession.schemas.EventType;
import io.insession.schemas.WeblogEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Replays recorded sessions as live weblog events: the sessions' clicks interleaved in their
 * original time order (files without times keep each session's click order and are interleaved
 * round-robin), sent at a fixed rate, each stamped with the time it is sent so that sessions stay
 * alive and end-to-end latency can be read off the output.
 */
public final class SessionReplayer {

  private final Producer<String, WeblogEvent> producer;
  private final String topic;
  private final Clock clock;

  public SessionReplayer(
      final Producer<String, WeblogEvent> producer, final String topic, final Clock clock) {
    this.producer = producer;
    this.topic = topic;
    this.clock = clock;
  }

  /** The clicks of all sessions in the order they are replayed. */
  public static List<Click> interleave(final Map<String, List<Click>> sessions) {
    final List<Click> all = new ArrayList<>();
    final boolean timed =
        sessions.values().stream().flatMap(List::stream).allMatch(c -> c.time() != null);
    if (timed) {
      sessions.values().forEach(all::addAll);
      all.sort(Comparator.comparing(Click::time));
      return all;
    }
    final List<List<Click>> queues = new ArrayList<>(sessions.values());
    for (int round = 0; !queues.isEmpty(); round++) {
      final int position = round;
      queues.removeIf(q -> q.size() <= position);
      for (final List<Click> queue : queues) {
        all.add(queue.get(position));
      }
    }
    return all;
  }

  /**
   * Sends the clicks as PRODUCT_VIEW events at {@code eventsPerSecond}, blocking until the last is
   * acknowledged.
   *
   * @param onSent called with each event as it is handed to the producer
   * @param stop checked before each event: true ends the replay early
   * @return the number of events sent
   */
  public int replay(
      final List<Click> clicks,
      final double eventsPerSecond,
      final Consumer<WeblogEvent> onSent,
      final BooleanSupplier stop)
      throws InterruptedException {
    if (eventsPerSecond <= 0) {
      throw new IllegalArgumentException("eventsPerSecond must be positive: " + eventsPerSecond);
    }
    final long intervalNanos = (long) (TimeUnit.SECONDS.toNanos(1) / eventsPerSecond);
    final long start = System.nanoTime();
    int sent = 0;
    for (final Click click : clicks) {
      if (stop.getAsBoolean()) {
        break;
      }
      final long due = start + sent * intervalNanos;
      final long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      final WeblogEvent event = toEvent(click, clock.instant());
      producer.send(
          new ProducerRecord<>(
              topic, null, event.getEventTime().toEpochMilli(), event.getSessionId(), event));
      onSent.accept(event);
      sent++;
    }
    producer.flush();
    return sent;
  }

  /** A click as a live product view at {@code now}. */
  static WeblogEvent toEvent(final Click click, final Instant now) {
    return WeblogEvent.newBuilder()
        .setEventId(UUID.randomUUID().toString())
        .setSessionId(click.sessionId())
        .setEventType(EventType.PRODUCT_VIEW)
        .setItemId(click.itemId())
        .setEventTime(now)
        .build();
  }

  /** How long a replay of {@code count} events at {@code eventsPerSecond} takes. */
  public static Duration duration(final int count, final double eventsPerSecond) {
    return Duration.ofMillis((long) (count * 1000.0 / eventsPerSecond));
  }
}
