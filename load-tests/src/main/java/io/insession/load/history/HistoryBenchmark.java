package io.insession.load.history;

import io.insession.api.LatestRecommendations;
import io.insession.api.LookupApiSettings;
import io.insession.kafka.TopicSetup;
import io.insession.kafka.TopicSpec;
import io.insession.kafka.ValueSerdes;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.ScoredItem;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * How the lookup API's start-up time grows with the history of the recommendations topic: writes
 * lists for a fixed set of sessions in steps to a topic, lets the log cleaner run after each step,
 * and times {@link LatestRecommendations} from start to caught up (what {@code GET /ready} waits
 * for), on a topic as InSession created it before (no cleanup settings) and on one as it creates it
 * now (compacted, with a retention; segments small enough that the cleaner runs within the
 * benchmark).
 */
public final class HistoryBenchmark {

  /** Items per list, as {@code insession.recommendations.count} (20) gives. */
  static final int ITEMS = 20;

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final String bootstrapServers;
  private final int sessions;
  private final int runs;
  private final Duration compactionTimeout;
  private final Consumer<String> progress;
  private boolean warmedUp;

  /** One measured point: a topic's mode and history, what start-up read, and how long it took. */
  public record Point(
      String mode,
      long listsWritten,
      long recordsOnTopic,
      long recordsRead,
      long sessionsCached,
      long startupMillisMedian,
      long startupMillisMax) {}

  /**
   * A benchmark against {@code bootstrapServers}.
   *
   * @param sessions the distinct sessions the lists belong to
   * @param runs start-ups measured per point (the median is reported)
   * @param compactionTimeout how long to wait for the cleaner at each step
   * @param progress where progress lines go
   */
  public HistoryBenchmark(
      final String bootstrapServers,
      final int sessions,
      final int runs,
      final Duration compactionTimeout,
      final Consumer<String> progress) {
    if (sessions < 1 || runs < 1) {
      throw new IllegalArgumentException("sessions and runs must be >= 1");
    }
    this.bootstrapServers = bootstrapServers;
    this.sessions = sessions;
    this.runs = runs;
    this.compactionTimeout = compactionTimeout;
    this.progress = progress;
  }

  /**
   * Fills {@code spec}'s topic up to each of {@code steps} lists (cumulative), waits for the
   * cleaner when the topic is compacted, and measures the start-up at each step.
   */
  public List<Point> run(final String mode, final TopicSpec spec, final long[] steps)
      throws InterruptedException {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
      TopicSetup.ensureTopics(admin, List.of(spec), TIMEOUT);
    }
    final boolean compacted = spec.configs().getOrDefault("cleanup.policy", "").contains("compact");
    final long segmentMillis =
        Long.parseLong(spec.configs().getOrDefault("segment.ms", String.valueOf(Long.MAX_VALUE)));
    final List<Point> points = new ArrayList<>();
    long written = 0;
    for (final long step : steps) {
      if (step - written < sessions) {
        throw new IllegalArgumentException(
            "each step must add at least one list per session (" + sessions + "): " + step);
      }
      // the step's last round (one list per session) goes to a new segment, as it would after
      // segment.ms in production: the cleaner never touches the active segment
      write(spec.name(), written, step - sessions);
      if (compacted) {
        Thread.sleep(segmentMillis + 100L);
      }
      write(spec.name(), step - sessions, step);
      written = step;
      long onTopic = count(spec.name());
      if (compacted) {
        onTopic = awaitCompaction(spec.name(), onTopic);
      }
      points.add(measure(mode, spec.name(), written, onTopic));
      progress.accept(String.format(Locale.ROOT, "%s: %s", mode, points.get(points.size() - 1)));
    }
    return points;
  }

  private void write(final String topic, final long from, final long to) {
    final Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    final Serializer<RecommendationList> values =
        ValueSerdes.singleObject().topicValue(RecommendationList.class).serializer();
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(props, new StringSerializer(), (t, bytes) -> bytes)) {
      final Instant now = Instant.now();
      for (long i = from; i < to; i++) {
        final String session = "session-" + (i % sessions);
        producer.send(
            new ProducerRecord<>(
                topic,
                null,
                now.toEpochMilli(),
                session,
                values.serialize(topic, list(i, session, now))));
      }
      producer.flush();
    }
  }

  /** A list as the stream writes one: {@value #ITEMS} scored items and the model's labels. */
  static RecommendationList list(final long n, final String session, final Instant time) {
    final List<ScoredItem> items = new ArrayList<>(ITEMS);
    for (int i = 0; i < ITEMS; i++) {
      items.add(new ScoredItem("item-" + ((n * 31 + i * 7) % 40_000), 1.0f / (i + 1)));
    }
    return RecommendationList.newBuilder()
        .setRecommendationId("rec-" + n)
        .setSessionId(session)
        .setItems(items)
        .setModelName("gru4rec-diginetica")
        .setModelVersion("2026-11-27.1")
        .setVariant("default")
        .setFallback(false)
        .setTriggerEventId("event-" + n)
        .setTriggerEventTime(time)
        .setEmittedAt(time)
        .build();
  }

  /**
   * Waits until the cleaner has left the topic's record count the same for three scans in a row
   * (and below what was written), or the timeout: the active segment is never cleaned, so the count
   * settles above the session count.
   */
  private long awaitCompaction(final String topic, final long written) throws InterruptedException {
    final long deadline = System.nanoTime() + compactionTimeout.toNanos();
    long last = written;
    int stable = 0;
    while (System.nanoTime() < deadline) {
      Thread.sleep(1_000L);
      final long now = count(topic);
      stable = now == last && now < written ? stable + 1 : 0;
      last = now;
      if (stable >= 3) {
        return now;
      }
    }
    progress.accept("compaction of " + topic + " did not settle; " + last + " records left");
    return last;
  }

  /** Records on the topic now, read from the beginning to the end. */
  long count(final String topic) {
    final Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      final List<TopicPartition> partitions =
          consumer.partitionsFor(topic, TIMEOUT).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      final Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, TIMEOUT);
      long records = 0;
      while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
        records += consumer.poll(Duration.ofMillis(200)).count();
      }
      return records;
    }
  }

  private Point measure(
      final String mode, final String topic, final long written, final long onTopic)
      throws InterruptedException {
    final long[] millis = new long[runs];
    long read = 0;
    long cached = 0;
    // the first start-up of the JVM loads and compiles the consumer's classes: not measured
    for (int r = warmedUp ? 0 : -1; r < runs; r++) {
      final LookupApiSettings settings =
          LookupApiSettings.of(bootstrapServers, topic)
              .withCache(10L * sessions, Duration.ofHours(1));
      final long start = System.nanoTime();
      try (LatestRecommendations latest = new LatestRecommendations(settings)) {
        latest.start();
        final long deadline = start + TIMEOUT.toNanos();
        while (!latest.readiness().ready()) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "the lookup API's source did not catch up with " + topic);
          }
          Thread.sleep(2L);
        }
        if (r >= 0) {
          millis[r] = (System.nanoTime() - start) / 1_000_000L;
        }
        read = latest.recordsRead();
        cached = latest.cachedSessions();
      }
    }
    warmedUp = true;
    Arrays.sort(millis);
    return new Point(mode, written, onTopic, read, cached, millis[runs / 2], millis[runs - 1]);
  }
}
