package io.insession.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaBrokerIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @Test
  void shouldServeTransactionalProduceAndReadCommittedConsumeThenCloseTwiceSafely()
      throws Exception {
    final EmbeddedKafkaBroker.Ports ports = EmbeddedKafkaBroker.findFreePorts();
    final EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().ports(ports).start();
    final Path logDir = broker.logDir();
    try {
      assertThat(broker.bootstrapServers()).isEqualTo("localhost:" + ports.broker());
      assertThat(Files.isDirectory(logDir)).isTrue();

      final String topic = "embedded-broker-it";
      try (Admin admin =
          Admin.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
        final List<TopicSpec> topics = List.of(TopicSpec.of(topic, 2));
        assertThat(TopicSetup.ensureTopics(admin, topics, TIMEOUT)).containsExactly(topic);
        assertThat(TopicSetup.ensureTopics(admin, topics, TIMEOUT)).isEmpty();
        assertThat(admin.listTopics().names().get()).contains(topic);
      }

      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(
              Map.of(
                  ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                  broker.bootstrapServers(),
                  ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                  "embedded-broker-it-tx",
                  ProducerConfig.LINGER_MS_CONFIG,
                  0),
              new StringSerializer(),
              new StringSerializer())) {
        producer.initTransactions();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(topic, "aborted", "never seen"));
        producer.abortTransaction();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(topic, "session-1", "committed"));
        producer.commitTransaction();
      }

      try (KafkaConsumer<String, String> consumer =
          new KafkaConsumer<>(
              Map.of(
                  ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                  ConsumerConfig.GROUP_ID_CONFIG, "embedded-broker-it",
                  ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                  ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
              new StringDeserializer(),
              new StringDeserializer())) {
        consumer.subscribe(Set.of(topic));
        final List<String> values = new ArrayList<>();
        await()
            .atMost(TIMEOUT)
            .pollInSameThread()
            .pollDelay(Duration.ZERO)
            .until(
                () -> {
                  for (final ConsumerRecord<String, String> rec :
                      consumer.poll(Duration.ofMillis(200))) {
                    values.add(rec.key() + "=" + rec.value());
                  }
                  return !values.isEmpty();
                });
        assertThat(values).containsExactly("session-1=committed");
        // the group coordinator works on one node: offsets commit
        consumer.commitSync();
      }
      assertThat(
              new String(
                  Files.readAllBytes(logDir.resolve("meta.properties")), StandardCharsets.UTF_8))
          .contains("node.id=1");
    } finally {
      broker.close();
      broker.close();
    }
    assertThat(Files.exists(logDir)).as("temporary log dir deleted").isFalse();
  }
}
