package io.insession.testing;

import io.insession.config.InSessionConfig;
import io.insession.kafka.Topic;
import io.insession.kafka.Topics;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.WeblogEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Every list on a one-partition recommendations topic so far, read_committed, in topic order; and
 * the weblog producer the end-to-end tests of the hot swap send their events with.
 */
public final class CommittedLists implements AutoCloseable {
  private final KafkaConsumer<String, RecommendationList> consumer;
  private final List<RecommendationList> seen = new ArrayList<>();

  /** Reads {@code config}'s recommendations topic (partition 0) from the beginning. */
  public CommittedLists(final InSessionConfig config) {
    final Topic<String, RecommendationList> topic = Topics.from(config).recommendations();
    final Properties props = new Properties();
    props.putAll(config.clientProperties());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    this.consumer =
        new KafkaConsumer<>(
            props, topic.keySerde().deserializer(), topic.valueSerde().deserializer());
    final TopicPartition partition = new TopicPartition(topic.name(), 0);
    consumer.assign(List.of(partition));
    consumer.seekToBeginning(List.of(partition));
  }

  /** Polls once and returns every list read so far. */
  public List<RecommendationList> poll() {
    for (final ConsumerRecord<String, RecommendationList> record :
        consumer.poll(Duration.ofMillis(200))) {
      seen.add(record.value());
    }
    return List.copyOf(seen);
  }

  @Override
  public void close() {
    consumer.close();
  }

  /** A producer of {@code config}'s weblog topic. */
  public static KafkaProducer<String, WeblogEvent> producer(final InSessionConfig config) {
    final Topic<String, WeblogEvent> weblog = Topics.from(config).weblog();
    return new KafkaProducer<>(
        config.clientProperties(),
        weblog.keySerde().serializer(),
        weblog.valueSerde().serializer());
  }

  /** Sends {@code event} keyed by its session, timestamped with its event time. */
  public static void send(
      final InSessionConfig config,
      final KafkaProducer<String, WeblogEvent> producer,
      final WeblogEvent event) {
    producer.send(
        new ProducerRecord<>(
            Topics.from(config).weblog().name(),
            null,
            event.getEventTime().toEpochMilli(),
            event.getSessionId(),
            event));
  }
}
