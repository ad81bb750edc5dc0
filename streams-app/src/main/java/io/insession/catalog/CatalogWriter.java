package io.insession.catalog;

import io.insession.config.InSessionConfig;
import io.insession.kafka.Topic;
import io.insession.kafka.TopicSetup;
import io.insession.kafka.Topics;
import io.insession.runtime.InSessionTopics;
import io.insession.schemas.CatalogItem;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;

/**
 * Writes catalogue entries to the catalogue topic in one Kafka transaction: readers that read
 * committed records (the streams app's global store under exactly-once, the lookup API) see all of
 * them or, if anything fails, none. Creates the compacted topic when it is missing.
 */
public final class CatalogWriter {

  private CatalogWriter() {}

  /**
   * Writes {@code entries} (a record puts an item, a deletion writes a tombstone).
   *
   * @return how many records were written
   * @throws KafkaException when the transaction failed (it was aborted: nothing is visible)
   */
  public static int write(
      final InSessionConfig config, final List<CatalogEntry> entries, final Duration timeout) {
    TopicSetup.ensureTopics(config, List.of(InSessionTopics.catalog(config)), timeout);
    final Topic<String, CatalogItem> topic = Topics.from(config).catalog();
    final Properties props = new Properties();
    props.putAll(config.clientProperties());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
    props.put(
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, "insession-catalog-load-" + UUID.randomUUID());
    try (KafkaProducer<String, CatalogItem> producer =
        new KafkaProducer<>(
            props, topic.keySerde().serializer(), topic.valueSerde().serializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      try {
        for (final CatalogEntry entry : entries) {
          producer.send(new ProducerRecord<>(topic.name(), entry.itemId(), entry.item()));
        }
        producer.commitTransaction();
      } catch (KafkaException e) {
        producer.abortTransaction();
        throw e;
      }
    }
    return entries.size();
  }
}
