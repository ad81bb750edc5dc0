package io.insession.deployment;

import io.insession.config.InSessionConfig;
import io.insession.kafka.Topic;
import io.insession.kafka.Topics;
import io.insession.schemas.ModelDeployment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Reads and appends to the deployments topic ({@code insession.topic.deployments}): the whole topic
 * at once for {@code models history} and {@code rollback}, one record at a time for {@code deploy}
 * and for the refusals an instance writes.
 */
public final class DeploymentLog {

  private static final Duration POLL = Duration.ofMillis(200);

  private final InSessionConfig config;
  private final Topic<String, ModelDeployment> topic;

  /** The deployments topic of {@code config}. */
  public DeploymentLog(final InSessionConfig config) {
    this.config = config;
    this.topic = Topics.from(config).deployments();
  }

  /** The topic's name. */
  public String topicName() {
    return topic.name();
  }

  /** The consumer settings of a reader of the whole topic: read_committed, no group, no commits. */
  public Properties readerProperties() {
    final Properties props = new Properties();
    props.putAll(config.clientProperties());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return props;
  }

  /** A consumer of the topic (not yet assigned). */
  public KafkaConsumer<String, ModelDeployment> newConsumer() {
    return new KafkaConsumer<>(
        readerProperties(), topic.keySerde().deserializer(), topic.valueSerde().deserializer());
  }

  /** The topic's partitions, waiting up to {@code timeout} for its metadata. */
  public List<TopicPartition> partitions(
      final KafkaConsumer<String, ModelDeployment> consumer, final Duration timeout) {
    final List<PartitionInfo> infos = consumer.partitionsFor(topic.name(), timeout);
    if (infos == null || infos.isEmpty()) {
      throw new KafkaException(
          "the deployments topic "
              + topic.name()
              + " does not exist ("
              + InSessionConfig.DEPLOYMENTS_TOPIC
              + "); run the service once, or deploy, to create it");
    }
    return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
  }

  /**
   * Every record of the topic, in topic order (one partition), up to its end when called.
   *
   * @throws KafkaException when the topic does not exist or cannot be read within {@code timeout}
   */
  public List<ModelDeployment> readAll(final Duration timeout) {
    final long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<String, ModelDeployment> consumer = newConsumer()) {
      final List<TopicPartition> partitions = partitions(consumer, timeout);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      final Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
      final List<ModelDeployment> records = new ArrayList<>();
      while (!reached(consumer, end)) {
        if (System.nanoTime() > deadline) {
          throw new TimeoutException(
              "reading the deployments topic " + topic.name() + " timed out after " + timeout);
        }
        for (final ConsumerRecord<String, ModelDeployment> record : consumer.poll(POLL)) {
          if (record.value() != null) {
            records.add(record.value());
          }
        }
      }
      return records;
    }
  }

  /** Whether the consumer's position reached {@code end} on every partition. */
  public static boolean reached(
      final KafkaConsumer<String, ModelDeployment> consumer, final Map<TopicPartition, Long> end) {
    for (final Map.Entry<TopicPartition, Long> partition : end.entrySet()) {
      if (consumer.position(partition.getKey()) < partition.getValue()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Appends {@code record} under its key ({@link Deployments#key}) and waits for the broker's
   * acknowledgement.
   *
   * @throws KafkaException when the broker does not take it within {@code timeout}
   */
  public void append(final ModelDeployment record, final Duration timeout) {
    final Properties props = new Properties();
    props.putAll(config.clientProperties());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
    try (KafkaProducer<String, ModelDeployment> producer =
        new KafkaProducer<>(
            props, topic.keySerde().serializer(), topic.valueSerde().serializer())) {
      producer
          .send(new ProducerRecord<>(topic.name(), Deployments.key(record), record))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new KafkaException(
          "could not write to the deployments topic " + topic.name() + ": " + e.getCause(),
          e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new TimeoutException(
          "writing to the deployments topic " + topic.name() + " timed out after " + timeout);
    } catch (InterruptedException e) {
      throw new InterruptException(e);
    }
  }
}
