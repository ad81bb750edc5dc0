package io.insession.experiments;

import io.insession.config.InSessionConfig;
import io.insession.kafka.Topic;
import io.insession.kafka.Topics;
import io.insession.schemas.ExperimentKpis;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the experiment KPIs topic into an {@link ExperimentBoard}: one consumer thread, every
 * partition from the beginning, committed records only, then follows it (the topic is compacted and
 * small: one record per experiment and window). {@link #readAll} reads it once to its end (the
 * CLI).
 */
public final class ExperimentFollower implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ExperimentFollower.class);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final long TOPIC_RETRY_MILLIS = 1_000L;

  private final Topic<String, ExperimentKpis> topic;
  private final KafkaConsumer<String, ExperimentKpis> consumer;
  private final ExperimentBoard board = new ExperimentBoard();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final Thread thread;

  private ExperimentFollower(final InSessionConfig config) {
    this.topic = Topics.from(config).experiments();
    this.consumer = consumer(config, topic);
    this.thread = new Thread(this::run, "experiment-follower-" + topic.name());
    this.thread.setDaemon(true);
  }

  /** Creates and starts the follower of {@code config}'s experiment KPIs topic. */
  public static ExperimentFollower start(final InSessionConfig config) {
    final ExperimentFollower follower = new ExperimentFollower(config);
    follower.thread.start();
    return follower;
  }

  /** What it has read so far. */
  public ExperimentBoard board() {
    return board;
  }

  /**
   * The topic read once, to the end offsets it had when called.
   *
   * @throws org.apache.kafka.common.KafkaException when the topic does not exist or cannot be read
   *     within {@code timeout}
   */
  public static ExperimentBoard readAll(final InSessionConfig config, final Duration timeout) {
    final Topic<String, ExperimentKpis> topic = Topics.from(config).experiments();
    final ExperimentBoard board = new ExperimentBoard();
    final long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<String, ExperimentKpis> consumer = consumer(config, topic)) {
      final List<PartitionInfo> infos = consumer.partitionsFor(topic.name(), timeout);
      if (infos == null || infos.isEmpty()) {
        return board;
      }
      final List<TopicPartition> partitions =
          infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      final Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
      while (!reached(consumer, end)) {
        if (System.nanoTime() > deadline) {
          throw new org.apache.kafka.common.errors.TimeoutException(
              "reading the experiment KPIs topic " + topic.name() + " timed out after " + timeout);
        }
        for (final ConsumerRecord<String, ExperimentKpis> record : consumer.poll(POLL)) {
          board.apply(record.key(), record.value());
        }
      }
    }
    return board;
  }

  private static boolean reached(
      final KafkaConsumer<String, ExperimentKpis> consumer, final Map<TopicPartition, Long> end) {
    for (final Map.Entry<TopicPartition, Long> partition : end.entrySet()) {
      if (consumer.position(partition.getKey()) < partition.getValue()) {
        return false;
      }
    }
    return true;
  }

  private static KafkaConsumer<String, ExperimentKpis> consumer(
      final InSessionConfig config, final Topic<String, ExperimentKpis> topic) {
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
        for (final ConsumerRecord<String, ExperimentKpis> record : consumer.poll(POLL)) {
          board.apply(record.key(), record.value());
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("The experiment follower of topic {} stopped", topic.name(), e);
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
