package io.insession.kafka;

import io.insession.config.InSessionConfig;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a whole compacted topic and follows it: a daemon thread assigns every partition (no
 * consumer group), reads from the beginning (committed records only) and hands each keyed record to
 * {@code onRecord} (a null value is a tombstone). Waits for the topic when it does not exist yet.
 * Used by the lookup API for the catalogue and the trending lists.
 */
public final class CompactedTopicFollower<K, V> implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CompactedTopicFollower.class);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final long TOPIC_RETRY_MILLIS = 1_000L;

  private final Topic<K, V> topic;
  private final KafkaConsumer<K, V> consumer;
  private final BiConsumer<K, V> onRecord;
  private final AtomicBoolean closing = new AtomicBoolean();
  private final Thread thread;

  /**
   * Creates and starts the follower of {@code topic}.
   *
   * @param config the Kafka client settings
   * @param onRecord called on the follower's thread with each record's key and value (null: a
   *     tombstone); records without a key are skipped
   */
  public static <K, V> CompactedTopicFollower<K, V> start(
      final InSessionConfig config, final Topic<K, V> topic, final BiConsumer<K, V> onRecord) {
    final CompactedTopicFollower<K, V> follower =
        new CompactedTopicFollower<>(config, topic, onRecord);
    follower.thread.start();
    return follower;
  }

  private CompactedTopicFollower(
      final InSessionConfig config, final Topic<K, V> topic, final BiConsumer<K, V> onRecord) {
    this.topic = topic;
    this.onRecord = onRecord;
    final Properties props = new Properties();
    props.putAll(config.clientProperties());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    this.consumer =
        new KafkaConsumer<>(
            props, topic.keySerde().deserializer(), topic.valueSerde().deserializer());
    this.thread = new Thread(this::run, "topic-follower-" + topic.name());
    this.thread.setDaemon(true);
  }

  private void run() {
    try {
      List<PartitionInfo> partitions = consumer.partitionsFor(topic.name(), POLL);
      while (partitions == null || partitions.isEmpty()) {
        if (closing.get()) {
          return;
        }
        Thread.sleep(TOPIC_RETRY_MILLIS);
        partitions = consumer.partitionsFor(topic.name(), POLL);
      }
      final List<TopicPartition> assigned =
          partitions.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(assigned);
      consumer.seekToBeginning(assigned);
      while (!closing.get()) {
        for (final ConsumerRecord<K, V> record : consumer.poll(POLL)) {
          if (record.key() != null) {
            onRecord.accept(record.key(), record.value());
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("The follower of topic {} stopped", topic.name(), e);
    } finally {
      consumer.close();
    }
  }

  @Override
  public void close() {
    if (closing.compareAndSet(false, true)) {
      consumer.wakeup();
      try {
        thread.join(Duration.ofSeconds(30).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
