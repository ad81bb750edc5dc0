package io.insession.load.stream;

import io.insession.load.measure.CpuMeter;
import io.insession.load.measure.CpuUse;
import io.insession.load.measure.GroupLagProbe;
import io.insession.load.measure.LatencySummary;
import io.insession.load.measure.LatencyTracker;
import io.insession.load.replay.Pacer;
import io.insession.load.replay.ReplayClick;
import io.insession.load.replay.SessionInterleaver;
import io.insession.load.report.StepReport;
import io.insession.load.report.Verdict;
import io.insession.schemas.EventType;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.WeblogEvent;
import io.insession.topology.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end-to-end load driver: produces replayed clicks as weblog events on an open-loop schedule
 * and reads the recommendations topic ({@code read_committed}, from its end at start) on its own
 * thread, matching each list to its event in a {@link LatencyTracker}.
 */
public final class StreamLoad implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StreamLoad.class);

  private final StreamLoadSettings settings;
  private final Admin admin;
  private final KafkaProducer<String, byte[]> producer;
  private final Serializer<WeblogEvent> eventSerializer;
  private final BadRecords badRecords;
  private final Map<String, AtomicLong> deadLetters = new ConcurrentSkipListMap<>();
  private final KafkaConsumer<String, byte[]> consumer;
  private final GroupLagProbe lagProbe;
  private final Thread receiver;
  private final Deserializer<RecommendationList> listDecoder;
  private final AtomicLong sendErrors = new AtomicLong();
  private final AtomicLong eventCounter = new AtomicLong();
  private final CpuMeter ownCpu = CpuMeter.currentProcess();
  private final String eventTag;
  private volatile LatencyTracker tracker = new LatencyTracker();

  private StreamLoad(
      final StreamLoadSettings settings,
      final Admin admin,
      final KafkaProducer<String, byte[]> producer,
      final KafkaConsumer<String, byte[]> consumer,
      final String eventTag) {
    this.settings = settings;
    this.admin = admin;
    this.producer = producer;
    this.eventSerializer = settings.valueSerdes().topicValue(WeblogEvent.class).serializer();
    this.badRecords = new BadRecords(settings.weblogTopic(), eventSerializer);
    this.consumer = consumer;
    this.eventTag = eventTag;
    this.listDecoder = settings.valueSerdes().topicValue(RecommendationList.class).deserializer();
    this.lagProbe = new GroupLagProbe(admin, settings.applicationId(), settings.weblogTopic());
    this.receiver = new Thread(this::receive, "load-list-receiver");
    receiver.setDaemon(true);
  }

  /**
   * Connects, waits until both topics exist (the app creates them), positions the list reader at
   * the end of the recommendations topic and starts it.
   *
   * @param eventTag prefix of this run's event ids
   */
  public static StreamLoad connect(
      final StreamLoadSettings settings, final String eventTag, final Duration topicTimeout)
      throws InterruptedException {
    final Map<String, Object> common = new HashMap<>();
    common.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    common.put(AdminClientConfig.CLIENT_ID_CONFIG, "insession-load");
    final Admin admin = Admin.create(common);
    try {
      final List<TopicPartition> listPartitions =
          awaitTopic(admin, settings.recommendationsTopic(), topicTimeout);
      awaitTopic(admin, settings.weblogTopic(), topicTimeout);
      final List<TopicPartition> readPartitions = new ArrayList<>(listPartitions);
      if (settings.badRecordEvery() > 0) {
        readPartitions.addAll(awaitTopic(admin, settings.deadLetterTopic(), topicTimeout));
      }
      final Map<String, Object> consumerProps = new HashMap<>(common);
      consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      consumerProps.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
      final KafkaConsumer<String, byte[]> consumer =
          new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
      consumer.assign(readPartitions);
      consumer.seekToEnd(readPartitions);
      readPartitions.forEach(consumer::position);
      final Map<String, Object> producerProps = new HashMap<>(common);
      producerProps.put(ProducerConfig.LINGER_MS_CONFIG, settings.producerLingerMs());
      producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
      final KafkaProducer<String, byte[]> producer =
          new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());
      final StreamLoad load = new StreamLoad(settings, admin, producer, consumer, eventTag);
      load.receiver.start();
      return load;
    } catch (RuntimeException | InterruptedException e) {
      admin.close();
      throw e;
    }
  }

  private static List<TopicPartition> awaitTopic(
      final Admin admin, final String topic, final Duration timeout) throws InterruptedException {
    final long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        final TopicDescription description =
            admin
                .describeTopics(List.of(topic))
                .allTopicNames()
                .get(5, TimeUnit.SECONDS)
                .get(topic);
        return description.partitions().stream()
            .map(p -> new TopicPartition(topic, p.partition()))
            .toList();
      } catch (ExecutionException | TimeoutException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "topic " + topic + " does not exist after " + timeout + " (is the app running?)", e);
        }
        TimeUnit.MILLISECONDS.sleep(250);
      }
    }
  }

  private void receive() {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        final ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(100));
        if (records.isEmpty()) {
          continue;
        }
        // the moment the batch arrived; decoding it must not count as latency
        final long now = System.nanoTime();
        final LatencyTracker current = tracker;
        for (final ConsumerRecord<String, byte[]> record : records) {
          if (record.topic().equals(settings.deadLetterTopic())) {
            countDeadLetter(record);
            continue;
          }
          try {
            final RecommendationList list =
                listDecoder.deserialize(record.topic(), record.headers(), record.value());
            current.received(list.getTriggerEventId(), now, list.getFallback());
          } catch (SerializationException e) {
            LOG.warn(
                "Skipping an undecodable list at offset {}: {}", record.offset(), e.toString());
          }
        }
      }
    } catch (WakeupException e) {
      // close() stops the reader
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
  }

  private void countDeadLetter(final ConsumerRecord<String, byte[]> record) {
    final Header reason = record.headers().lastHeader(DeadLetterHeaders.REASON);
    final String name =
        reason == null ? "(no reason)" : new String(reason.value(), StandardCharsets.UTF_8);
    deadLetters.computeIfAbsent(name, k -> new AtomicLong()).incrementAndGet();
  }

  /** Bad records sent so far (warm-up included; 0 unless the settings ask for them). */
  public long badRecordsSent() {
    return badRecords.sent();
  }

  /**
   * Dead letters read since {@link #connect} by reason (only read when bad records are sent), from
   * every producer of the topic.
   */
  public Map<String, Long> deadLetters() {
    final Map<String, Long> counts = new TreeMap<>();
    deadLetters.forEach((reason, count) -> counts.put(reason, count.get()));
    return counts;
  }

  private long deadLetterCount() {
    return deadLetters.values().stream().mapToLong(AtomicLong::get).sum();
  }

  /** The tracker of the current measurement. */
  public LatencyTracker tracker() {
    return tracker;
  }

  /** Starts a new measurement: what was sent before no longer counts (its lists are unmatched). */
  public void resetMeasurement() {
    tracker = new LatencyTracker();
  }

  /** Producer send failures so far. */
  public long sendErrors() {
    return sendErrors.get();
  }

  /**
   * Sends probe events at 5/s until the first list comes back: the app is up and has finished its
   * first rebalance.
   *
   * @return whether a list arrived in time
   */
  public boolean awaitFirstList(final SessionInterleaver sessions, final Duration timeout)
      throws InterruptedException {
    final long deadline = System.nanoTime() + timeout.toNanos();
    final LatencyTracker probe = tracker;
    while (System.nanoTime() < deadline) {
      send(sessions.next(), probe);
      producer.flush();
      final long waitUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
      while (System.nanoTime() < waitUntil) {
        if (probe.matched() > 0) {
          return true;
        }
        TimeUnit.MILLISECONDS.sleep(10);
      }
    }
    return probe.matched() > 0;
  }

  /**
   * Sends at {@code rate} events/s for {@code duration}, then reports the phase (without waiting
   * for outstanding lists), with the CPU the app and this JVM used while it sent.
   *
   * @param appCpu the app's process ({@link CpuMeter#unknown()} when the generator cannot see it)
   * @param stop checked before each event: true ends the phase early
   */
  public StepReport runPhase(
      final SessionInterleaver sessions,
      final double rate,
      final Duration duration,
      final Verdict verdict,
      final CpuMeter appCpu,
      final BooleanSupplier stop)
      throws InterruptedException {
    final LatencyTracker current = tracker;
    current.takeInterval();
    final long matchedBefore = current.matched();
    final CpuMeter.Interval appInterval = appCpu.start();
    final CpuMeter.Interval ownInterval = ownCpu.start();
    final Pacer pacer = new Pacer(rate, System::nanoTime);
    final long end = pacer.startNanos() + duration.toNanos();
    long index = 0;
    long maxBehind = 0;
    while (pacer.dueNanos(index) < end && !stop.getAsBoolean()) {
      pacer.awaitDue(index);
      maxBehind = Math.max(maxBehind, pacer.behindNanos(index, System.nanoTime()));
      send(sessions.next(), current);
      index++;
    }
    final long sendEnd = System.nanoTime();
    final CpuUse appUse = appInterval.end(index).orElse(null);
    final CpuUse ownUse = ownInterval.end(index).orElse(null);
    final double seconds = Math.max(1e-3, (sendEnd - pacer.startNanos()) / 1e9);
    final long lists = current.matched() - matchedBefore;
    final long pending = current.pending();
    final long lag = lagProbe.lag();
    final double sendRate = index / seconds;
    final double listRate = lists / seconds;
    final String failure = verdict.failure(rate, sendRate, listRate, pending);
    return new StepReport(
        rate,
        round1(seconds),
        index,
        lists,
        Math.round(sendRate),
        Math.round(listRate),
        round1(maxBehind / 1e6),
        pending,
        lag,
        LatencySummary.ofMicros(current.takeInterval()),
        failure == null,
        failure == null ? "sustained" : failure,
        appUse,
        ownUse);
  }

  /**
   * Waits until every event sent has its list and every bad record its dead letter, or the timeout.
   *
   * @return the events still waiting
   */
  public long drain(final Duration timeout) throws InterruptedException {
    producer.flush();
    final long deadline = System.nanoTime() + timeout.toNanos();
    final LatencyTracker current = tracker;
    while ((current.pending() > 0 || deadLetterCount() < badRecords.sent())
        && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(20);
    }
    current.takeInterval();
    return current.pending();
  }

  /** The app's consumer lag on the weblog topic (-1 when unknown). */
  public long groupLag() throws InterruptedException {
    return lagProbe.lag();
  }

  private void send(final ReplayClick click, final LatencyTracker into) {
    final String eventId = eventTag + "-" + eventCounter.incrementAndGet();
    final Instant now = Instant.now();
    final WeblogEvent event =
        WeblogEvent.newBuilder()
            .setEventId(eventId)
            .setSessionId(click.sessionId())
            .setEventType(EventType.PRODUCT_VIEW)
            .setItemId(click.itemId())
            .setEventTime(now)
            .build();
    into.sent(eventId, System.nanoTime());
    produce(
        new ProducerRecord<>(
            settings.weblogTopic(),
            null,
            now.toEpochMilli(),
            click.sessionId(),
            eventSerializer.serialize(settings.weblogTopic(), new RecordHeaders(), event)));
    final int every = settings.badRecordEvery();
    if (every > 0 && eventCounter.get() % every == 0) {
      produce(
          badRecords.next(
              eventTag + "-bad-" + badRecords.sent(), click.sessionId(), click.itemId(), now));
    }
  }

  private void produce(final ProducerRecord<String, byte[]> record) {
    producer.send(
        record,
        (metadata, error) -> {
          if (error != null && sendErrors.getAndIncrement() < 5) {
            LOG.warn("Producing an event failed: {}", error.toString());
          }
        });
  }

  private static double round1(final double value) {
    return Math.round(value * 10.0) / 10.0;
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
    consumer.wakeup();
    try {
      receiver.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    admin.close(Duration.ofSeconds(5));
  }
}
