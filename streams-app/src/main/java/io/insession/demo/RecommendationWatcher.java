package io.insession.demo;

import io.insession.kafka.Topic;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.ScoredItem;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the recommendations topic like any downstream consumer would and shows each new list as a
 * line a person can follow: the session, what it just viewed, the top items, and the end-to-end
 * latency (list received − event time). Keeps a latency histogram for the summary.
 */
public final class RecommendationWatcher implements Runnable, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RecommendationWatcher.class);
  private static final int SHOWN_ITEMS = 4;

  private final KafkaConsumer<String, byte[]> consumer;
  private final Deserializer<RecommendationList> decoder;
  private final PrintStream out;
  private final Clock clock;
  private final Map<String, String> viewedByEvent = new ConcurrentHashMap<>();
  private final Histogram latencyMs = new Histogram(60_000L, 3);
  private final AtomicInteger received = new AtomicInteger();
  private final AtomicInteger fallbacks = new AtomicInteger();
  private final Thread thread;
  private final RolloutTracker rollout = new RolloutTracker();
  private final CatalogTracker catalog = new CatalogTracker();
  private volatile Consumer<RecommendationList> listener = list -> {};

  /**
   * @param clientProperties bootstrap servers and any security settings
   * @param lists the recommendations topic and its serdes
   */
  public RecommendationWatcher(
      final Map<String, Object> clientProperties,
      final Topic<String, RecommendationList> lists,
      final PrintStream out,
      final Clock clock) {
    final String topic = lists.name();
    this.decoder = lists.valueSerde().deserializer();
    final Map<String, Object> props = new HashMap<>(clientProperties);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    this.consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    final List<TopicPartition> partitions =
        consumer.partitionsFor(topic).stream()
            .map(p -> new TopicPartition(topic, p.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position);
    this.out = out;
    this.clock = clock;
    this.thread = new Thread(this, "recommendation-watcher");
    thread.setDaemon(true);
  }

  /** Remembers what an event viewed, to show it next to the list it triggers. */
  public void viewed(final String eventId, final String itemId) {
    viewedByEvent.put(eventId, itemId);
  }

  /** Hands every list to {@code listener} too, once it is shown. */
  public void listener(final Consumer<RecommendationList> listener) {
    this.listener = listener;
  }

  public void start() {
    thread.start();
  }

  @Override
  public void run() {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        final ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
        for (final ConsumerRecord<String, byte[]> record : records) {
          show(record);
        }
      }
    } catch (WakeupException e) {
      // close() asked us to stop
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
  }

  private void show(final ConsumerRecord<String, byte[]> record) {
    final RecommendationList list;
    try {
      list = decoder.deserialize(record.topic(), record.headers(), record.value());
    } catch (SerializationException e) {
      LOG.warn(
          "Skipping an undecodable list at {}-{}@{}: {}",
          record.topic(),
          record.partition(),
          record.offset(),
          e.getMessage());
      return;
    }
    final long latency = clock.millis() - list.getTriggerEventTime().toEpochMilli();
    synchronized (latencyMs) {
      latencyMs.recordValue(Math.max(0, Math.min(latency, latencyMs.getHighestTrackableValue())));
    }
    if (list.getFallback()) {
      fallbacks.incrementAndGet();
    }
    // counted before the list is: a summary after awaitReceived includes it
    final Optional<String> switched = rollout.seen(list);
    final Optional<String> catalogNote = catalog.seen(list);
    synchronized (received) {
      received.incrementAndGet();
      received.notifyAll();
    }
    switched.ifPresent(out::println);
    final String top =
        list.getItems().stream()
            .limit(SHOWN_ITEMS)
            .map(RecommendationWatcher::format)
            .collect(Collectors.joining("  "));
    out.printf(
        Locale.ROOT,
        "session %-8s viewed %-10s → %s%s  [%d ms, %s %s]%n",
        list.getSessionId(),
        Objects.requireNonNullElse(viewedByEvent.remove(list.getTriggerEventId()), "?"),
        top,
        fallbackLabel(list),
        latency,
        list.getVariant(),
        list.getModelVersion());
    catalogNote.ifPresent(out::println);
    // after its line, so that what a simulated shopper does with it is shown below it
    listener.accept(list);
  }

  private String fallbackLabel(final RecommendationList list) {
    if (!list.getFallback()) {
      return "";
    }
    return catalog.isViewer(list.getSessionId())
        ? "  (content-based: the model does not know the item)"
        : "  (popular: cold start)";
  }

  private static String format(final ScoredItem item) {
    return String.format(Locale.ROOT, "%s (%.2f)", item.getItemId(), item.getScore());
  }

  /** How many lists have been received. */
  public int received() {
    return received.get();
  }

  /**
   * Waits until {@code count} lists have arrived.
   *
   * @param stop checked while waiting: true gives up early
   * @return whether they all arrived in time
   */
  public boolean awaitReceived(final int count, final Duration timeout, final BooleanSupplier stop)
      throws InterruptedException {
    final long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (received) {
      while (received.get() < count && !stop.getAsBoolean()) {
        final long leftMs = (deadline - System.nanoTime()) / 1_000_000;
        if (leftMs <= 0) {
          return false;
        }
        received.wait(Math.min(leftMs, 200));
      }
      return received.get() >= count;
    }
  }

  /** A one-paragraph summary: lists, cold starts and latency percentiles. */
  public String summary() {
    synchronized (latencyMs) {
      return String.format(
          Locale.ROOT,
          "%d lists received (%d cold-start fallbacks); end-to-end latency event → list:"
              + " p50 %d ms, p90 %d ms, p99 %d ms, max %d ms",
          received.get(),
          fallbacks.get(),
          latencyMs.getValueAtPercentile(50),
          latencyMs.getValueAtPercentile(90),
          latencyMs.getValueAtPercentile(99),
          latencyMs.getMaxValue());
    }
  }

  /** What the lists showed of the catalogue's changes (the demo's catalogue part). */
  public CatalogTracker catalog() {
    return catalog;
  }

  /** Follows the lists across a roll-out: versions served, gaps, sessions kept warm. */
  public RolloutTracker rollout() {
    return rollout;
  }

  @Override
  public void close() {
    consumer.wakeup();
    try {
      thread.join(Duration.ofSeconds(10).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
