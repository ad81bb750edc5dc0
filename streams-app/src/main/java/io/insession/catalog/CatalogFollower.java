package io.insession.catalog;

import io.insession.config.InSessionConfig;
import io.insession.kafka.Topic;
import io.insession.kafka.Topics;
import io.insession.schemas.CatalogItem;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
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
 * The catalogue in the lookup API's memory: a consumer thread reads every partition of the
 * catalogue topic from the beginning (committed records only) and follows it, keeping each item's
 * latest record (a tombstone removes it). Heap grows with the catalogue, so the lookup API reads it
 * only when {@code insession.api.catalog.enabled} is set.
 */
public final class CatalogFollower implements ItemCatalog, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CatalogFollower.class);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final long TOPIC_RETRY_MILLIS = 1_000L;

  private final Topic<String, CatalogItem> topic;
  private final KafkaConsumer<String, CatalogItem> consumer;
  private final Map<String, CatalogItem> items = new ConcurrentHashMap<>();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final Thread thread;

  /** Creates and starts the follower of {@code config}'s catalogue topic. */
  public static CatalogFollower start(final InSessionConfig config) {
    final CatalogFollower follower = new CatalogFollower(config);
    follower.thread.start();
    return follower;
  }

  private CatalogFollower(final InSessionConfig config) {
    this.topic = Topics.from(config).catalog();
    final Properties props = new Properties();
    props.putAll(config.clientProperties());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    this.consumer =
        new KafkaConsumer<>(
            props, topic.keySerde().deserializer(), topic.valueSerde().deserializer());
    this.thread = new Thread(this::run, "catalog-follower-" + topic.name());
    this.thread.setDaemon(true);
  }

  @Override
  public CatalogItem item(final String itemId) {
    return items.get(itemId);
  }

  /** How many items it holds now. */
  public int size() {
    return items.size();
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
        for (final ConsumerRecord<String, CatalogItem> record : consumer.poll(POLL)) {
          if (record.key() == null) {
            continue;
          }
          if (record.value() == null) {
            items.remove(record.key());
          } else {
            items.put(record.key(), record.value());
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("The catalogue follower of topic {} stopped", topic.name(), e);
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
