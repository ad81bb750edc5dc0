package io.insession.load.stream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** The session ids that have a list: the keys of the recommendations topic. */
public final class SessionKeys {

  private SessionKeys() {}

  /**
   * Reads the topic from the beginning up to its current end (or {@code max} distinct keys, or the
   * timeout) and returns the distinct keys in order of first appearance.
   */
  public static List<String> read(
      final String bootstrapServers, final String topic, final int max, final Duration timeout) {
    final Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    final Set<String> keys = new LinkedHashSet<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      final List<TopicPartition> partitions =
          consumer.partitionsFor(topic, timeout).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      final Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
      final long deadline = System.nanoTime() + timeout.toNanos();
      while (keys.size() < max && System.nanoTime() < deadline && !atEnd(consumer, ends)) {
        for (final ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (record.key() != null && keys.size() < max) {
            keys.add(record.key());
          }
        }
      }
    }
    return new ArrayList<>(keys);
  }

  private static boolean atEnd(
      final KafkaConsumer<String, byte[]> consumer, final Map<TopicPartition, Long> ends) {
    for (final Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
      if (consumer.position(end.getKey()) < end.getValue()) {
        return false;
      }
    }
    return true;
  }
}
