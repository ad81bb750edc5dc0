package io.insession.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the input topic from the outside with an {@link Admin} client, every few seconds, and
 * keeps two gauges per partition:
 *
 * <ul>
 *   <li>{@code insession_consumer_lag_records{topic,partition}}: log-end offset minus the offset
 *       the application's consumer group (the Streams application id) has committed (minus the
 *       log-start offset while it has committed nothing);
 *   <li>{@code insession_input_idle_seconds{topic,partition}}: seconds since the partition's
 *       log-end offset last moved. A stalled consumer therefore shows as lag, not as silence. At
 *       start, the time of the partition's newest record stands in for the last move (now for an
 *       empty partition), so a restart does not reset the silence.
 * </ul>
 *
 * Every partition of the topic is reported, whichever instance owns it (a dead owner's partitions
 * still show their lag); alerts deduplicate with {@code max by (topic, partition)}. The first poll
 * runs at start, so the gauges exist from then on. A failed poll is logged and keeps the last
 * values.
 *
 * <p>It also tells readiness what it saw ({@link #problem}): the brokers could not be reached for
 * longer than a grace (every poll failing), or the lag has been above 0 without the group's
 * committed offsets moving for longer than a stall time (a consumer that does not fetch).
 */
public final class LagMonitor implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LagMonitor.class);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

  private final Admin admin;
  private final String groupId;
  private final String topic;
  private final MeterRegistry registry;
  private final Clock clock;
  private final ScheduledExecutorService executor;
  private final ConcurrentMap<TopicPartition, PartitionState> partitions =
      new ConcurrentHashMap<>();
  private volatile boolean failing;
  private volatile long lastSuccessMillis;
  private volatile String lastError = "";

  LagMonitor(
      final Admin admin,
      final String groupId,
      final String topic,
      final MeterRegistry registry,
      final Clock clock) {
    this.admin = admin;
    this.groupId = groupId;
    this.topic = topic;
    this.registry = registry;
    this.clock = clock;
    this.lastSuccessMillis = clock.millis();
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              final Thread thread = new Thread(runnable, "insession-lag-monitor");
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Starts polling.
   *
   * @param adminProperties Kafka client settings for the Admin client (owned by the monitor)
   * @param groupId the consumer group whose committed offsets count (the Streams application id)
   * @param topic the input topic
   * @param interval time between polls
   * @param registry where the gauges go
   * @param clock what the idle gauge counts time by
   */
  public static LagMonitor start(
      final Map<String, Object> adminProperties,
      final String groupId,
      final String topic,
      final Duration interval,
      final MeterRegistry registry,
      final Clock clock) {
    final LagMonitor monitor =
        new LagMonitor(Admin.create(adminProperties), groupId, topic, registry, clock);
    monitor.executor.scheduleWithFixedDelay(
        monitor::pollQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    LOG.info(
        "Watching lag of group {} on topic {} every {} ms", groupId, topic, interval.toMillis());
    return monitor;
  }

  /** Total lag over the partitions, as of the last poll; empty before the first one. */
  public OptionalLong totalLag() {
    if (partitions.isEmpty()) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(partitions.values().stream().mapToLong(p -> p.lag).sum());
  }

  /**
   * Why the application should not be called ready, as of the last poll: the brokers unreachable
   * for longer than {@code brokerGrace}, or a partition with lag whose committed offset has not
   * moved for longer than {@code lagStall}; empty when neither.
   */
  public Optional<String> problem(final Duration brokerGrace, final Duration lagStall) {
    final long now = clock.millis();
    final long unreachable = now - lastSuccessMillis;
    if (failing && unreachable > brokerGrace.toMillis()) {
      return Optional.of(
          "brokers unreachable: the offsets of topic "
              + topic
              + " could not be read for "
              + unreachable
              + " ms ("
              + lastError
              + ")");
    }
    for (final Map.Entry<TopicPartition, PartitionState> entry : partitions.entrySet()) {
      final PartitionState state = entry.getValue();
      final long stalled = now - state.lastProgressMillis;
      if (state.lag > 0 && stalled > lagStall.toMillis()) {
        return Optional.of(
            "lag not moving: "
                + entry.getKey()
                + " is "
                + state.lag
                + " records behind and its committed offset has not moved for "
                + stalled
                + " ms");
      }
    }
    return Optional.empty();
  }

  @Override
  public void close() {
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("Lag monitor did not stop within {} ms", CALL_TIMEOUT.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      admin.close(Duration.ofSeconds(5));
    }
  }

  private void pollQuietly() {
    try {
      poll();
      lastSuccessMillis = clock.millis();
      if (failing) {
        LOG.info("Lag monitor reads offsets of topic {} again", topic);
        failing = false;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      lastError = e.toString();
      if (!failing) {
        LOG.warn(
            "Lag monitor cannot read offsets of topic {} (keeps the last values): {}",
            topic,
            e.toString());
        failing = true;
      }
    }
  }

  /** One round: partitions, end offsets, committed offsets; new partitions get their gauges. */
  void poll() throws InterruptedException, ExecutionException, TimeoutException {
    final List<TopicPartition> all = topicPartitions();
    final Map<TopicPartition, Long> ends = offsets(all, OffsetSpec.latest());
    final Map<TopicPartition, OffsetAndMetadata> committed =
        admin
            .listConsumerGroupOffsets(groupId)
            .partitionsToOffsetAndMetadata()
            .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    final List<TopicPartition> uncommitted =
        all.stream().filter(p -> committed.get(p) == null).toList();
    final Map<TopicPartition, Long> starts =
        uncommitted.isEmpty() ? Map.of() : offsets(uncommitted, OffsetSpec.earliest());
    final List<TopicPartition> unseen =
        all.stream().filter(p -> !partitions.containsKey(p)).toList();
    final Map<TopicPartition, Long> newest =
        unseen.isEmpty() ? Map.of() : offsets(unseen, OffsetSpec.maxTimestamp(), true);
    final long now = clock.millis();
    for (final TopicPartition partition : all) {
      final long end = ends.getOrDefault(partition, 0L);
      final OffsetAndMetadata offset = committed.get(partition);
      final long position = offset != null ? offset.offset() : starts.getOrDefault(partition, 0L);
      final PartitionState state =
          partitions.computeIfAbsent(
              partition, p -> register(p, end, lastMove(newest.getOrDefault(p, -1L), now)));
      state.update(end, position, Math.max(0L, end - position), now);
    }
  }

  private List<TopicPartition> topicPartitions()
      throws InterruptedException, ExecutionException, TimeoutException {
    final TopicDescription description =
        admin
            .describeTopics(List.of(topic))
            .allTopicNames()
            .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
            .get(topic);
    return description.partitions().stream()
        .map(info -> new TopicPartition(topic, info.partition()))
        .toList();
  }

  private Map<TopicPartition, Long> offsets(
      final List<TopicPartition> partitionList, final OffsetSpec spec)
      throws InterruptedException, ExecutionException, TimeoutException {
    return offsets(partitionList, spec, false);
  }

  /** Offsets, or with {@code timestamps} the record timestamps that come with them. */
  private Map<TopicPartition, Long> offsets(
      final List<TopicPartition> partitionList, final OffsetSpec spec, final boolean timestamps)
      throws InterruptedException, ExecutionException, TimeoutException {
    final Map<TopicPartition, OffsetSpec> request =
        partitionList.stream().collect(Collectors.toMap(Function.identity(), p -> spec));
    final Map<TopicPartition, ListOffsetsResultInfo> result =
        admin.listOffsets(request).all().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    final Map<TopicPartition, Long> values = new HashMap<>();
    result.forEach(
        (partition, info) -> values.put(partition, timestamps ? info.timestamp() : info.offset()));
    return values;
  }

  /** When a partition first seen last moved: its newest record's time, never in the future. */
  private static long lastMove(final long newestRecordTime, final long now) {
    return newestRecordTime < 0 ? now : Math.min(newestRecordTime, now);
  }

  private PartitionState register(
      final TopicPartition partition, final long end, final long lastMovedMillis) {
    final PartitionState state = new PartitionState(end, lastMovedMillis, clock.millis());
    final String number = String.valueOf(partition.partition());
    Gauge.builder("insession.consumer.lag", state, s -> s.lag)
        .description("Log-end offset minus the application's committed offset")
        .baseUnit("records")
        .tag("topic", partition.topic())
        .tag("partition", number)
        .strongReference(true)
        .register(registry);
    Gauge.builder("insession.input.idle", state, s -> (clock.millis() - s.lastMovedMillis) / 1e3)
        .description("Seconds since the partition's log-end offset last moved")
        .baseUnit("seconds")
        .tag("topic", partition.topic())
        .tag("partition", number)
        .strongReference(true)
        .register(registry);
    return state;
  }

  /** What the gauges of one partition read; written by the poller only. */
  private static final class PartitionState {
    private volatile long end;
    private volatile long lag;
    private volatile long lastMovedMillis;
    private volatile long position = -1L;
    private volatile long lastProgressMillis;

    PartitionState(final long end, final long lastMovedMillis, final long now) {
      this.end = end;
      this.lastMovedMillis = lastMovedMillis;
      this.lastProgressMillis = now;
    }

    void update(final long newEnd, final long newPosition, final long newLag, final long now) {
      if (newEnd != end) {
        end = newEnd;
        lastMovedMillis = now;
      }
      // progress: the committed offset moved, or there is nothing to consume
      if (newPosition != position || newLag == 0) {
        position = newPosition;
        lastProgressMillis = now;
      }
      lag = newLag;
    }
  }
}
