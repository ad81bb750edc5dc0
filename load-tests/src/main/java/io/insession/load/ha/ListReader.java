package io.insession.load.ha;

import io.insession.kafka.Topic;
import io.insession.schemas.RecommendationList;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Every committed list of a recommendations topic, as a {@code read_committed} reader sees it (what
 * the lookup API serves), read from the beginning on a thread of its own and noted with the time it
 * arrived.
 */
public final class ListReader implements AutoCloseable {

  /**
   * A list as read, with when it arrived.
   *
   * @param partition its partition of the recommendations topic
   * @param list the list
   * @param receivedNanos {@link System#nanoTime()} when the reader got it
   */
  public record ReceivedList(int partition, RecommendationList list, long receivedNanos) {}

  private final KafkaConsumer<String, byte[]> consumer;
  private final Deserializer<RecommendationList> decoder;
  private final List<ReceivedList> received = new CopyOnWriteArrayList<>();
  private final AtomicBoolean reading = new AtomicBoolean(true);
  private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
  private final Thread thread;

  private ListReader(
      final KafkaConsumer<String, byte[]> consumer,
      final Deserializer<RecommendationList> decoder,
      final String name) {
    this.consumer = consumer;
    this.decoder = decoder;
    this.thread = new Thread(this::read, name);
    thread.setDaemon(true);
  }

  /**
   * Starts reading every partition of {@code topic} from the beginning.
   *
   * @param clientProperties how to reach the brokers
   * @param partitions the topic's partition count
   */
  public static ListReader start(
      final Map<String, Object> clientProperties,
      final Topic<String, RecommendationList> topic,
      final int partitions) {
    final Map<String, Object> props = new HashMap<>(clientProperties);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    final KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    final List<TopicPartition> all = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      all.add(new TopicPartition(topic.name(), p));
    }
    consumer.assign(all);
    consumer.seekToBeginning(all);
    final ListReader reader =
        new ListReader(consumer, topic.valueSerde().deserializer(), "lists-of-" + topic.name());
    reader.thread.start();
    return reader;
  }

  /**
   * Every list read so far, in the order read.
   *
   * @throws IllegalStateException when reading failed (it names the cause): a reader that stopped
   *     must not look like a stream that stopped sending lists
   */
  public List<ReceivedList> received() {
    final RuntimeException failed = failure.get();
    if (failed != null) {
      throw new IllegalStateException("the list reader stopped: " + failed, failed);
    }
    return List.copyOf(received);
  }

  private void read() {
    try {
      while (reading.get()) {
        for (final ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
          received.add(
              new ReceivedList(
                  record.partition(),
                  decoder.deserialize(record.topic(), record.value()),
                  System.nanoTime()));
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      failure.set(e);
    } finally {
      consumer.close();
    }
  }

  @Override
  public void close() {
    reading.set(false);
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
