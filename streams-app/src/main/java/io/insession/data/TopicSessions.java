package io.insession.data;

import io.insession.schemas.WeblogEvent;
import io.insession.session.EventSemantics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
 * is the order it was produced in). Records that do not decode are skipped and counted.
 */
public final class TopicSessions {

  private static final Logger LOG = LoggerFactory.getLogger(TopicSessions.class);

  private TopicSessions() {}

  /**
   * The sessions of {@code topic} with record times in [{@code from}, {@code to}).
   *
   * @param clientProperties bootstrap servers and security settings
   * @param decoder the weblog topic's value deserializer ({@code Topics.from(config).weblog()})
   * @param from first record time, or null for the beginning
   * @param to end record time (exclusive), or null for the log end at the start of the read
   */
  public static Map<String, List<Click>> read(
      final Map<String, Object> clientProperties,
      final Deserializer<WeblogEvent> decoder,
      final String topic,
      final Instant from,
      final Instant to) {
    final Map<String, Object> props = new HashMap<>(clientProperties);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    final Map<String, List<Click>> sessions = new LinkedHashMap<>();
    long skipped = 0;
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
      final Map<TopicPartition, Long> remaining = new HashMap<>(end);
      remaining.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
      while (!remaining.isEmpty()) {
        for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          if (to != null && record.timestamp() >= to.toEpochMilli()) {
            continue;
          }
          try {
            final WeblogEvent event = decoder.deserialize(topic, record.headers(), record.value());
            if (event != null
                && EventSemantics.advancesModel(event.getEventType())
                && event.getItemId() != null) {
              sessions
                  .computeIfAbsent(event.getSessionId(), id -> new ArrayList<>())
                  .add(new Click(event.getSessionId(), event.getItemId(), event.getEventTime()));
            }
          } catch (SerializationException e) {
            skipped++;
          }
        }
        remaining.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
      }
    }
    LOG.info(
        "Read {} sessions from {} ({} undecodable records skipped)",
        sessions.size(),
        topic,
        skipped);
    return sessions;
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
