package io.insession.data;

import io.insession.schemas.WeblogEvent;
import io.insession.session.EventLimits;
import io.insession.session.EventSemantics;
import io.insession.session.WeblogEventChecks;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads sessions back from a weblog topic: the item events that advance the model, between two
 * record times, grouped by session in log order (one session lives on one partition, so its order
 * is the order it was produced in). What the stream would not have scored is left out and counted
 * by {@link SkipReason}: records that do not decode, events that break a field rule, retried events
 * (an event id seen before in the session) and every event of a session forgotten later (a {@code
 * FORGET_SESSION} control record anywhere up to the log end, also after the range).
 */
public final class TopicSessions {

  private static final Logger LOG = LoggerFactory.getLogger(TopicSessions.class);

  private TopicSessions() {}

  /** Told how far a read has come (for a progress bar). */
  public interface Listener {
    /** No output. */
    Listener NONE =
        new Listener() {
          @Override
          public void started(final long records) {
            // quiet
          }

          @Override
          public void advanced(final long records) {
            // quiet
          }
        };

    /** The read starts; {@code records} is how many records it will read up to the log end. */
    void started(long records);

    /** {@code records} more records were read. */
    void advanced(long records);
  }

  /**
   * What a read found.
   *
   * @param sessions session id to its clicks in log order; sessions ordered by their first click's
   *     event time (then id)
   * @param records records read with a record time in the range
   * @param otherEvents events in the range that do not move the model (page views, searches,
   *     removals, control records): not clicks, not skipped either
   * @param skipped what was left out, by reason (only reasons that occurred)
   */
  public record Read(
      Map<String, List<Click>> sessions,
      long records,
      long otherEvents,
      Map<SkipReason, Long> skipped) {

    /** The number of clicks over all sessions. */
    public long clicks() {
      return sessions.values().stream().mapToLong(List::size).sum();
    }
  }

  /**
   * The sessions of {@code topic} with record times in [{@code from}, {@code to}), with the default
   * event limits and no progress.
   */
  public static Map<String, List<Click>> read(
      final Map<String, Object> clientProperties,
      final Deserializer<WeblogEvent> decoder,
      final String topic,
      final Instant from,
      final Instant to) {
    return readAll(
            clientProperties, decoder, topic, from, to, EventLimits.defaults(), Listener.NONE)
        .sessions();
  }

  /**
   * The sessions of {@code topic} with record times in [{@code from}, {@code to}), with counts.
   *
   * @param clientProperties bootstrap servers and security settings
   * @param decoder the weblog topic's value deserializer ({@code Topics.from(config).weblog()})
   * @param from first record time, or null for the beginning
   * @param to end record time (exclusive), or null for the log end at the start of the read
   * @param limits the field rules' limits, as the stream applies them
   * @param listener told the progress
   * @throws IllegalArgumentException when the topic does not exist
   */
  public static Read readAll(
      final Map<String, Object> clientProperties,
      final Deserializer<WeblogEvent> decoder,
      final String topic,
      final Instant from,
      final Instant to,
      final EventLimits limits,
      final Listener listener) {
    final Map<String, Object> props = new HashMap<>(clientProperties);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    final Collector collector = new Collector(limits);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      final List<TopicPartition> partitions = new ArrayList<>();
      consumer
          .partitionsFor(topic)
          .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
      if (partitions.isEmpty()) {
        throw new IllegalArgumentException("topic " + topic + " does not exist");
      }
      consumer.assign(partitions);
      final Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      seekToStart(consumer, partitions, from);
      long total = 0;
      for (final TopicPartition partition : partitions) {
        total += Math.max(0, end.get(partition) - consumer.position(partition));
      }
      listener.started(total);
      final Map<TopicPartition, Long> remaining = new HashMap<>(end);
      remaining.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
      while (!remaining.isEmpty()) {
        final ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
        for (final ConsumerRecord<byte[], byte[]> record : records) {
          if (record.offset() < end.get(new TopicPartition(topic, record.partition()))) {
            collector.add(
                topic, decoder, record, to == null || record.timestamp() < to.toEpochMilli());
          }
        }
        listener.advanced(records.count());
        remaining.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
      }
    }
    final Read read = collector.result();
    LOG.info(
        "Read {} sessions ({} clicks) from {}; skipped: {}",
        read.sessions().size(),
        read.clicks(),
        topic,
        read.skipped());
    return read;
  }

  /** Groups the events of one read into sessions and counts what it leaves out. */
  private static final class Collector {
    private final EventLimits limits;
    private final Map<String, List<Click>> sessions = new HashMap<>();
    private final Map<String, Set<String>> eventIds = new HashMap<>();
    private final Map<SkipReason, Long> skipped = new EnumMap<>(SkipReason.class);
    private long records;
    private long otherEvents;

    Collector(final EventLimits limits) {
      this.limits = limits;
    }

    void add(
        final String topic,
        final Deserializer<WeblogEvent> decoder,
        final ConsumerRecord<byte[], byte[]> record,
        final boolean inRange) {
      final WeblogEvent event;
      try {
        event = decoder.deserialize(topic, record.headers(), record.value());
      } catch (SerializationException e) {
        if (inRange) {
          records++;
          skip(SkipReason.UNDECODABLE, 1);
        }
        return;
      }
      if (event != null && EventSemantics.forgetsSession(event.getEventType())) {
        // also after the range: a forgotten session's events must not be exported at all
        final List<Click> forgotten = sessions.remove(event.getSessionId());
        eventIds.remove(event.getSessionId());
        if (forgotten != null) {
          skip(SkipReason.FORGOTTEN, forgotten.size());
        }
        if (inRange) {
          records++;
          otherEvents++;
        }
        return;
      }
      if (!inRange) {
        return;
      }
      records++;
      if (event == null) {
        skip(SkipReason.UNDECODABLE, 1);
      } else if (WeblogEventChecks.check(event, limits).isPresent()) {
        skip(SkipReason.INVALID, 1);
      } else if (!EventSemantics.advancesModel(event.getEventType())) {
        otherEvents++;
      } else if (!eventIds
          .computeIfAbsent(event.getSessionId(), id -> new HashSet<>())
          .add(event.getEventId())) {
        skip(SkipReason.DUPLICATE, 1);
      } else {
        sessions
            .computeIfAbsent(event.getSessionId(), id -> new ArrayList<>())
            .add(new Click(event.getSessionId(), event.getItemId(), event.getEventTime()));
      }
    }

    private void skip(final SkipReason reason, final long count) {
      skipped.merge(reason, count, Long::sum);
    }

    Read result() {
      final List<Map.Entry<String, List<Click>>> ordered = new ArrayList<>(sessions.entrySet());
      ordered.sort(
          Comparator.comparing((Map.Entry<String, List<Click>> e) -> e.getValue().get(0).time())
              .thenComparing(Map.Entry::getKey));
      final Map<String, List<Click>> byStart = new LinkedHashMap<>();
      ordered.forEach(e -> byStart.put(e.getKey(), List.copyOf(e.getValue())));
      return new Read(
          Collections.unmodifiableMap(byStart),
          records,
          otherEvents,
          Collections.unmodifiableMap(new EnumMap<>(skipped)));
    }
  }

  private static void seekToStart(
      final KafkaConsumer<byte[], byte[]> consumer,
      final List<TopicPartition> partitions,
      final Instant from) {
    if (from == null) {
      consumer.seekToBeginning(partitions);
      return;
    }
    final Map<TopicPartition, Long> query = new HashMap<>();
    partitions.forEach(p -> query.put(p, from.toEpochMilli()));
    final Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(query);
    for (final TopicPartition partition : partitions) {
      final OffsetAndTimestamp offset = offsets.get(partition);
      if (offset == null) {
        consumer.seekToEnd(List.of(partition));
      } else {
        consumer.seek(partition, offset.offset());
      }
    }
  }
}
