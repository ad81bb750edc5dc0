package io.insession.api;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.ScoredItem;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the latest {@link RecommendationList} of every session, read from the recommendations topic
 * by a consumer on its own thread.
 *
 * <p>The consumer reads every partition from the beginning with {@code
 * isolation.level=read_committed} and no consumer group, so every API instance sees every session.
 * Lists are kept in a Caffeine cache keyed by the record key (the session id; the value's {@code
 * sessionId} when the key is missing), bounded in estimated heap bytes ({@link #weight}: the
 * decoded list, its JSON, the key and the cache's own entry) and in entries, and expiring a fixed
 * time after they were read. The byte bound is what keeps the heap safe: re-reading the whole topic
 * after a restart only evicts the least recently used sessions, it cannot run the JVM out of
 * memory, so a restart cannot loop on the same data. A later record of a session replaces the
 * earlier one; a tombstone removes it. A value that does not decode is logged and skipped: bad
 * input never stops the thread. Each list read is also handed to the subscribers of its session
 * ({@link SessionSubscriptions}, bounded by {@link PushSettings#maxSubscribers()}), after the cache
 * was updated.
 *
 * <p>The source is ready once it has read up to the end offsets it saw when it started (the last
 * stable offsets, as it reads committed data only), and stays ready only while it reaches the
 * brokers: every few hundred ms (a third of the grace) it asks them for the end offsets, and when
 * that has failed for longer than {@link LookupApiSettings#brokerGrace()} it is not ready, with the
 * reason, until they answer again. Partitions added to the topic later are not picked up until
 * restart.
 *
 * <p>As a {@link MeterBinder} it exposes its consumer's client metrics (Micrometer's Kafka binder)
 * and its own counts: {@code insession_lookup_records_read_total}, {@code
 * insession_lookup_records_skipped_total} and {@code insession_lookup_cached_sessions}.
 */
public final class LatestRecommendations implements RecommendationSource, MeterBinder {

  private static final Logger LOG = LoggerFactory.getLogger(LatestRecommendations.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
  private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(5);
  private static final long TOPIC_RETRY_MILLIS = 1_000L;
  private static final long JOIN_TIMEOUT_MILLIS = 30_000L;

  private final String topic;
  private final Consumer<String, byte[]> consumer;
  private final Deserializer<RecommendationList> decoder;

  /** A session's latest list with its JSON, written once when the list arrives. */
  private record Latest(RecommendationList list, byte[] json, int weight) {}

  /** Heap of a String beyond its characters: object, array header, padding (compressed oops). */
  private static final int STRING_OVERHEAD = 48;

  /**
   * Heap of one cache entry beyond its strings and JSON: the Caffeine node with expiry and the
   * hash-table slot, the {@code Latest} record, the JSON array's header, the list object with its
   * two {@code Instant}s, and the item array.
   */
  static final int ENTRY_OVERHEAD = 320;

  /** Heap of one scored item beyond its id's characters: the object and the array slot. */
  static final int ITEM_OVERHEAD = 32;

  private final Cache<String, Latest> cache;
  private final SessionSubscriptions subscriptions;
  private final Thread thread;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CountDownLatch closeSignal = new CountDownLatch(1);
  private final AtomicLong recordsRead = new AtomicLong();
  private final AtomicLong recordsSkipped = new AtomicLong();
  private volatile Readiness readiness;
  private volatile boolean caughtUp;
  private volatile RuntimeException failure;
  private volatile KafkaClientMetrics clientMetrics;
  private final long brokerGraceNanos;
  private final Duration brokerCheckInterval;
  private volatile long lastBrokerContactNanos = System.nanoTime();
  private volatile String lastBrokerError = "";

  /**
   * Creates the consumer (not started yet; see {@link #start()}).
   *
   * @param settings bootstrap servers, pass-through Kafka properties, topic and cache settings
   */
  public LatestRecommendations(final LookupApiSettings settings) {
    this(settings, new KafkaConsumer<>(consumerProperties(settings)));
  }

  /**
   * The same view before the exactly-once commit ({@code isolation.level=read_uncommitted}): lists
   * as soon as the stream wrote them, see {@link ReadYourWrites}.
   */
  static LatestRecommendations uncommitted(final LookupApiSettings settings) {
    final Map<String, Object> props = consumerProperties(settings);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    return new LatestRecommendations(settings, new KafkaConsumer<>(props));
  }

  /** For tests: with a given consumer, e.g. a {@code MockConsumer}. */
  LatestRecommendations(final LookupApiSettings settings, final Consumer<String, byte[]> consumer) {
    this.topic = settings.topic();
    this.decoder = settings.listDecoder();
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    // one bound in Caffeine: bytes, with every entry weighing at least its share of the byte
    // bound per allowed entry, so the entry count stays bounded too
    final int minWeight =
        (int)
            Math.min(
                Integer.MAX_VALUE,
                Math.max(1L, settings.cacheMaxBytes() / settings.cacheMaxEntries()));
    this.cache =
        Caffeine.newBuilder()
            .maximumWeight(settings.cacheMaxBytes())
            .<String, Latest>weigher((key, latest) -> Math.max(minWeight, latest.weight()))
            .expireAfterWrite(settings.cacheTtl())
            .build();
    this.subscriptions = new SessionSubscriptions(settings.push().maxSubscribers());
    this.brokerGraceNanos = settings.brokerGrace().toNanos();
    this.brokerCheckInterval =
        Duration.ofMillis(Math.max(50L, settings.brokerGrace().toMillis() / 3));
    this.readiness = Readiness.notReady("consumer of topic " + topic + " not started");
    this.thread = new Thread(this::run, "latest-recommendations-" + topic);
    this.thread.setDaemon(true);
  }

  /**
   * The consumer settings: the pass-through properties, then the ones this class depends on.
   *
   * @param settings the API settings
   * @return the properties for a {@code KafkaConsumer<String, byte[]>}
   */
  static Map<String, Object> consumerProperties(final LookupApiSettings settings) {
    final Map<String, Object> props = new HashMap<>(settings.kafkaProperties());
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "insession-lookup-api-" + UUID.randomUUID());
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // this reader must never create the topic it serves
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    // partitions are assigned by hand: a group id would only be misleading
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    return props;
  }

  /** Binds the consumer's metrics and this source's counts; once, before {@link #start()}. */
  @Override
  public void bindTo(final MeterRegistry registry) {
    if (clientMetrics != null) {
      throw new IllegalStateException("metrics already bound");
    }
    clientMetrics = new KafkaClientMetrics(consumer);
    clientMetrics.bindTo(registry);
    FunctionCounter.builder("insession.lookup.records.read", recordsRead, AtomicLong::get)
        .description("Records read from the recommendations topic, skipped ones included")
        .register(registry);
    FunctionCounter.builder("insession.lookup.records.skipped", recordsSkipped, AtomicLong::get)
        .description("Records skipped: undecodable or without a session id")
        .register(registry);
    Gauge.builder("insession.lookup.cached.sessions", cache, Cache::estimatedSize)
        .description("Sessions whose latest list is cached (approximate)")
        .register(registry);
    Gauge.builder("insession.lookup.cached.bytes", this, LatestRecommendations::cachedBytes)
        .description("Estimated heap bytes of the cached lists (bounded by cache.max.bytes)")
        .baseUnit("bytes")
        .register(registry);
    Gauge.builder("insession.lookup.subscribers", subscriptions, SessionSubscriptions::size)
        .description("Open subscriptions to new lists (push streams)")
        .register(registry);
  }

  /** Starts the consumer thread. Calling it again does nothing. */
  public void start() {
    if (closing.get()) {
      throw new IllegalStateException("already closed");
    }
    if (started.compareAndSet(false, true)) {
      readiness = Readiness.notReady("waiting for the partitions of topic " + topic);
      thread.start();
    }
  }

  @Override
  public Optional<RecommendationList> latest(final String sessionId) {
    return Optional.ofNullable(cache.getIfPresent(sessionId)).map(Latest::list);
  }

  @Override
  public Optional<byte[]> latestJson(final String sessionId) {
    return Optional.ofNullable(cache.getIfPresent(sessionId)).map(Latest::json);
  }

  @Override
  public SessionSubscriptions.Subscription subscribe(
      final String sessionId, final java.util.function.Consumer<RecommendationList> listener) {
    return subscriptions.subscribe(sessionId, listener);
  }

  @Override
  public void forget(final String sessionId) {
    cache.invalidate(sessionId);
  }

  @Override
  public Readiness readiness() {
    final long unreachable = System.nanoTime() - lastBrokerContactNanos;
    if (started.get() && failure == null && unreachable > brokerGraceNanos) {
      return Readiness.notReady(
          "brokers unreachable: no answer about topic "
              + topic
              + " for "
              + unreachable / 1_000_000
              + " ms ("
              + lastBrokerError
              + ")");
    }
    return readiness;
  }

  @Override
  public boolean isAlive() {
    return failure == null && !closing.get();
  }

  /** Records read so far, skipped ones included. */
  public long recordsRead() {
    return recordsRead.get();
  }

  /** Records skipped so far because they did not decode or had no session id. */
  public long recordsSkipped() {
    return recordsSkipped.get();
  }

  /** Sessions currently cached (approximate). */
  public long cachedSessions() {
    return cache.estimatedSize();
  }

  /** Estimated heap bytes of the cached lists (see {@link #weight}). */
  public long cachedBytes() {
    return cache.policy().eviction().map(e -> e.weightedSize().orElse(0L)).orElse(0L);
  }

  /**
   * The estimated heap bytes of one cached list: its strings at two bytes a character (an upper
   * bound, whatever their coding), its JSON, and fixed overheads measured with {@code
   * LookupCacheFootprint} (test scope).
   */
  static int weight(final String key, final RecommendationList list, final byte[] json) {
    long bytes = ENTRY_OVERHEAD + json.length;
    bytes += stringBytes(key) + stringBytes(list.getRecommendationId());
    bytes += stringBytes(list.getSessionId()) + stringBytes(list.getModelName());
    bytes += stringBytes(list.getModelVersion()) + stringBytes(list.getVariant());
    bytes += stringBytes(list.getTriggerEventId());
    for (final ScoredItem item : list.getItems()) {
      bytes += ITEM_OVERHEAD + stringBytes(item.getItemId());
    }
    return (int) Math.min(Integer.MAX_VALUE, bytes);
  }

  private static long stringBytes(final String value) {
    return value == null ? 0L : STRING_OVERHEAD + 2L * value.length();
  }

  /**
   * Stops the consumer thread and waits for it. Safe to call more than once. If the calling thread
   * is interrupted while waiting, it returns early with the interrupt flag set.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    closeSignal.countDown();
    if (clientMetrics != null) {
      clientMetrics.close();
    }
    if (!started.get()) {
      consumer.close();
      return;
    }
    consumer.wakeup();
    try {
      thread.join(JOIN_TIMEOUT_MILLIS);
      if (thread.isAlive()) {
        LOG.warn(
            "Consumer thread of topic {} did not stop within {} ms", topic, JOIN_TIMEOUT_MILLIS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.warn("Interrupted while waiting for the consumer thread of topic {} to stop", topic);
    }
  }

  private void run() {
    final long start = System.nanoTime();
    try {
      final List<TopicPartition> partitions = awaitPartitions();
      if (partitions.isEmpty()) {
        return; // closed while waiting
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      final Map<TopicPartition, Long> targets = consumer.endOffsets(partitions);
      LOG.info(
          "Reading topic {} from the beginning: {} partitions, end offsets {}",
          topic,
          partitions.size(),
          targets);
      updateReadiness(targets, start);
      lastBrokerContactNanos = System.nanoTime();
      long nextCheck = System.nanoTime() + brokerCheckInterval.toNanos();
      while (!closing.get()) {
        final ConsumerRecords<String, byte[]> records = consumer.poll(POLL_TIMEOUT);
        for (final ConsumerRecord<String, byte[]> rec : records) {
          apply(rec);
        }
        if (!caughtUp) {
          updateReadiness(targets, start);
        }
        if (System.nanoTime() - nextCheck >= 0) {
          checkBrokers(partitions);
          nextCheck = System.nanoTime() + brokerCheckInterval.toNanos();
        }
      }
    } catch (WakeupException e) {
      if (!closing.get()) {
        fail(e);
      }
    } catch (RuntimeException e) {
      fail(e);
    } finally {
      closeConsumer();
    }
  }

  /** Asks the brokers for the end offsets: an answer is contact, a timeout is not. */
  private void checkBrokers(final List<TopicPartition> partitions) {
    try {
      consumer.endOffsets(partitions, brokerCheckInterval);
      if (!lastBrokerError.isEmpty()) {
        LOG.info("Brokers answer again about topic {}", topic);
        lastBrokerError = "";
      }
      lastBrokerContactNanos = System.nanoTime();
    } catch (TimeoutException e) {
      if (lastBrokerError.isEmpty()) {
        LOG.warn("Brokers do not answer about topic {}: {}", topic, e.getMessage());
      }
      lastBrokerError = e.toString();
    }
  }

  private void fail(final RuntimeException e) {
    failure = e;
    readiness = Readiness.notReady("consumer of topic " + topic + " failed: " + e);
    LOG.error("Consumer of topic {} stopped; the lookup API cannot serve new lists", topic, e);
  }

  private void closeConsumer() {
    try {
      consumer.close();
    } catch (RuntimeException e) {
      LOG.warn("Error closing the consumer of topic {}: {}", topic, e.toString());
    }
    LOG.info(
        "Consumer of topic {} stopped after {} records ({} skipped)",
        topic,
        recordsRead.get(),
        recordsSkipped.get());
  }

  /** The topic's partitions, waiting until it exists; empty if closed meanwhile. */
  private List<TopicPartition> awaitPartitions() {
    boolean logged = false;
    while (!closing.get()) {
      List<PartitionInfo> infos = List.of();
      try {
        infos = consumer.partitionsFor(topic, METADATA_TIMEOUT);
      } catch (TimeoutException e) {
        LOG.warn("No metadata for topic {} yet: {}", topic, e.getMessage());
      }
      if (infos != null && !infos.isEmpty()) {
        return infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      }
      if (!logged) {
        LOG.warn("Topic {} does not exist (yet); waiting for it", topic);
        logged = true;
      }
      readiness = Readiness.notReady("waiting for topic " + topic + " to exist");
      try {
        if (closeSignal.await(TOPIC_RETRY_MILLIS, TimeUnit.MILLISECONDS)) {
          break;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return List.of();
  }

  private void apply(final ConsumerRecord<String, byte[]> rec) {
    recordsRead.incrementAndGet();
    if (rec.value() == null) {
      if (rec.key() != null) {
        cache.invalidate(rec.key());
      }
      return;
    }
    final RecommendationList list;
    try {
      list = decoder.deserialize(rec.topic(), rec.headers(), rec.value());
    } catch (SerializationException e) {
      skip(rec, e.getMessage());
      return;
    }
    final String sessionId = rec.key() != null ? rec.key() : list.getSessionId();
    if (sessionId == null || sessionId.isEmpty()) {
      skip(rec, "no session id in key or value");
      return;
    }
    final byte[] json = RecommendationView.toJson(list);
    cache.put(sessionId, new Latest(list, json, weight(sessionId, list, json)));
    subscriptions.publish(sessionId, list);
  }

  private void skip(final ConsumerRecord<String, byte[]> rec, final String reason) {
    recordsSkipped.incrementAndGet();
    LOG.warn(
        "Skipping record {}-{}@{} (key {}): {}",
        rec.topic(),
        rec.partition(),
        rec.offset(),
        rec.key(),
        reason);
  }

  private void updateReadiness(final Map<TopicPartition, Long> targets, final long start) {
    final Map<Integer, Long> behind = new TreeMap<>();
    for (final Map.Entry<TopicPartition, Long> target : targets.entrySet()) {
      final long end = target.getValue() == null ? 0L : target.getValue();
      if (end <= 0L) {
        continue;
      }
      long position;
      try {
        position = consumer.position(target.getKey(), Duration.ZERO);
      } catch (TimeoutException e) {
        position = 0L; // not resolved yet: nothing read
      }
      if (position < end) {
        behind.put(target.getKey().partition(), end - position);
      }
    }
    if (behind.isEmpty()) {
      caughtUp = true;
      readiness = Readiness.caughtUp();
      LOG.info(
          "Caught up with topic {} in {} ms: {} records read, {} skipped, {} sessions cached",
          topic,
          (System.nanoTime() - start) / 1_000_000,
          recordsRead.get(),
          recordsSkipped.get(),
          cache.estimatedSize());
    } else {
      final long total = behind.values().stream().mapToLong(Long::longValue).sum();
      readiness =
          Readiness.catchingUp(
              "catching up with topic "
                  + topic
                  + ": "
                  + total
                  + " records behind the end offsets seen at start",
              behind);
    }
  }
}
