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
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows a whole (compacted) topic in a daemon thread: assigns every partition once the topic
 * exists, reads from the beginning, committed records only, no consumer group, and hands each
 * record's key and value (null for a tombstone) to a callback. {@link #close()} wakes the consumer
 * up and joins the thread. The catalogue, the trending lists and the experiment KPIs of the lookup
 * API use it.
 */
public final class TopicFollower<V> implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TopicFollower.class);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final long TOPIC_RETRY_MILLIS = 1_000L;

  private final Topic<String, V> topic;
  private final KafkaConsumer<String, V> consumer;
  private final BiConsumer<String, V> apply;
  private final AtomicBoolean closing = new AtomicBoolean();
  private final Thread thread;

  private TopicFollower(
      final InSessionConfig config,
      final Topic<String, V> topic,
      final String what,
      final BiConsumer<String, V> apply) {
    this.topic = topic;
    this.apply = apply;
    this.consumer = reader(config, topic);
    this.thread = new Thread(this::run, what + "-follower-" + topic.name());
    this.thread.setDaemon(true);
  }

  /**
   * Starts following {@code topic}.
   *
   * @param what names the thread and the log lines (e.g. {@code catalog})
   * @param apply takes each record's key and value (null: a tombstone), on the follower's thread
   */
  public static <V> TopicFollower<V> start(
      final InSessionConfig config,
      final Topic<String, V> topic,
      final String what,
      final BiConsumer<String, V> apply) {
    final TopicFollower<V> follower = new TopicFollower<>(config, topic, what, apply);
    follower.thread.start();
    return follower;
  }

  /** A consumer of the whole topic: read_committed, no group, no commits, from the beginning. */
  public static <V> KafkaConsumer<String, V> reader(
      final InSessionConfig config, final Topic<String, V> topic) {
    final Properties props = new Properties();
    props.putAll(config.clientProperties());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return new KafkaConsumer<>(
        props, topic.keySerde().deserializer(), topic.valueSerde().deserializer());
  }

  private void run() {
    try {
      List<PartitionInfo> partitions = partitions();
      if (partitions == null || partitions.isEmpty()) {
        // not fatal (the caller serves without it), but never silent
        LOG.warn(
            "Topic {} not found (it does not exist, this principal may not DESCRIBE it, or the"
                + " broker has not answered yet); the {} waits for it",
            topic.name(),
            thread.getName());
      }
      while (partitions == null || partitions.isEmpty()) {
        if (closing.get()) {
          return;
        }
        Thread.sleep(TOPIC_RETRY_MILLIS);
        partitions = partitions();
      }
      final List<TopicPartition> assigned =
          partitions.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(assigned);
      consumer.seekToBeginning(assigned);
      while (!closing.get()) {
        for (final ConsumerRecord<String, V> record : consumer.poll(POLL)) {
          if (record.key() != null) {
            apply.accept(record.key(), record.value());
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("The {} stopped", thread.getName(), e);
    } finally {
      consumer.close();
    }
  }

  /**
   * The topic's partitions; null when the metadata did not come within {@link #POLL} (a busy or
   * starting broker): the caller asks again instead of the follower dying.
   */
  private List<PartitionInfo> partitions() {
    try {
      return consumer.partitionsFor(topic.name(), POLL);
    } catch (TimeoutException e) {
      LOG.debug("No metadata for {} within {} ms yet", topic.name(), POLL.toMillis());
      return null;
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
