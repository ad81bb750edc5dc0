package io.insession.experiments;

import io.insession.config.InSessionConfig;
import io.insession.kafka.Topic;
import io.insession.kafka.TopicFollower;
import io.insession.kafka.Topics;
import io.insession.schemas.ExperimentKpis;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Reads the experiment KPIs topic into an {@link ExperimentBoard}: followed in a daemon thread for
 * the lookup API ({@link #start}, a {@link TopicFollower}; the topic is compacted and small: one
 * record per experiment and window), or once to its end for the CLI ({@link #readAll}).
 */
public final class ExperimentFollower implements AutoCloseable {

  private static final Duration POLL = Duration.ofMillis(200);

  private final ExperimentBoard board = new ExperimentBoard();
  private final TopicFollower<ExperimentKpis> follower;

  private ExperimentFollower(final InSessionConfig config) {
    this.follower =
        TopicFollower.start(config, Topics.from(config).experiments(), "experiment", board::apply);
  }

  /** Creates and starts the follower of {@code config}'s experiment KPIs topic. */
  public static ExperimentFollower start(final InSessionConfig config) {
    return new ExperimentFollower(config);
  }

  /** What it has read so far. */
  public ExperimentBoard board() {
    return board;
  }

  /**
   * The topic read once, to the end offsets it had when called (empty when it does not exist).
   *
   * @throws org.apache.kafka.common.KafkaException when the topic cannot be read within {@code
   *     timeout}
   */
  public static ExperimentBoard readAll(final InSessionConfig config, final Duration timeout) {
    final Topic<String, ExperimentKpis> topic = Topics.from(config).experiments();
    final ExperimentBoard board = new ExperimentBoard();
    final long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<String, ExperimentKpis> consumer = TopicFollower.reader(config, topic)) {
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
          throw new TimeoutException(
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

  @Override
  public void close() {
    follower.close();
  }
}
