package io.insession.testing;

import io.insession.config.InSessionConfig;
import io.insession.kafka.TopicSetup;
import io.insession.kafka.TopicSpec;
import io.insession.runtime.InSessionTopics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * One real Kafka broker per test class, as a JUnit 5 extension:
 *
 * <pre>{@code
 * @RegisterExtension static final KafkaTestCluster KAFKA = new KafkaTestCluster();
 * }</pre>
 *
 * <p>Which broker, in this order: an external cluster when the environment variable {@value
 * #BOOTSTRAP_ENV} is set; a Testcontainers broker when a Docker engine is available (image from
 * {@value #IMAGE_ENV}, default {@value #DEFAULT_IMAGE}); else Kafka's own in-JVM KRaft test kit
 * (one combined node, every internal topic with replication factor 1, production metadata version).
 * The choice is logged. Tests keep apart by {@link #uniqueName(String)}: topics and application ids
 * are never shared, so an external cluster can serve many runs.
 */
public final class KafkaTestCluster implements BeforeAllCallback, AfterAllCallback {

  /** Environment variable naming an external cluster to use instead of starting one. */
  public static final String BOOTSTRAP_ENV = "KAFKA_BOOTSTRAP_SERVERS";

  /** Environment variable naming the broker image for Testcontainers. */
  public static final String IMAGE_ENV = "KAFKA_TEST_IMAGE";

  /** The broker image used with Docker when {@value #IMAGE_ENV} is not set. */
  public static final String DEFAULT_IMAGE = "apache/kafka:4.3.1";

  private static final Logger LOG = LoggerFactory.getLogger(KafkaTestCluster.class);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
  private static final AtomicInteger NAME_COUNTER = new AtomicInteger();

  /** Where the broker of a test class comes from. */
  public enum Kind {
    /** An already running cluster named by {@value #BOOTSTRAP_ENV}. */
    EXTERNAL,
    /** A Testcontainers broker in Docker. */
    TESTCONTAINERS,
    /** Kafka's {@code KafkaClusterTestKit} inside the test JVM. */
    IN_JVM
  }

  private Kind kind;
  private String bootstrapServers;
  private String ownerId;
  private KafkaClusterTestKit testKit;
  private KafkaContainer container;

  @Override
  public void beforeAll(final ExtensionContext context) throws Exception {
    if (bootstrapServers != null) {
      return; // started by an enclosing class already
    }
    ownerId = context.getUniqueId();
    final long start = System.nanoTime();
    final String external = System.getenv(BOOTSTRAP_ENV);
    if (external != null && !external.isBlank()) {
      kind = Kind.EXTERNAL;
      bootstrapServers = external.strip();
    } else if (DockerClientFactory.instance().isDockerAvailable()) {
      kind = Kind.TESTCONTAINERS;
      startContainer();
    } else {
      kind = Kind.IN_JVM;
      startTestKit();
    }
    LOG.info(
        "Kafka for {}: {} at {} (ready in {} ms)",
        context.getDisplayName(),
        kind,
        bootstrapServers,
        (System.nanoTime() - start) / 1_000_000);
  }

  @Override
  public void afterAll(final ExtensionContext context) throws Exception {
    if (!context.getUniqueId().equals(ownerId)) {
      return;
    }
    final long start = System.nanoTime();
    try {
      stopStarted();
    } finally {
      LOG.info("Kafka ({}) stopped in {} ms", kind, (System.nanoTime() - start) / 1_000_000);
      bootstrapServers = null;
      ownerId = null;
    }
  }

  private void startContainer() {
    final String image = Objects.requireNonNullElse(System.getenv(IMAGE_ENV), DEFAULT_IMAGE);
    final KafkaContainer started = new KafkaContainer(image);
    started.start();
    container = started;
    bootstrapServers = started.getBootstrapServers();
  }

  private void startTestKit() throws Exception {
    final KafkaClusterTestKit kit =
        new KafkaClusterTestKit.Builder(
                new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    // else the kit boots an unstable metadata version
                    .setBootstrapMetadataVersion(MetadataVersion.LATEST_PRODUCTION)
                    .build())
            // one node: the defaults of 3 would leave __consumer_offsets uncreated
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("offsets.topic.num.partitions", "1")
            .setConfigProp("transaction.state.log.replication.factor", "1")
            .setConfigProp("transaction.state.log.min.isr", "1")
            .setConfigProp("transaction.state.log.num.partitions", "1")
            .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
            .setConfigProp("share.coordinator.state.topic.min.isr", "1")
            .setConfigProp("group.initial.rebalance.delay.ms", "0")
            .setConfigProp("num.partitions", "1")
            .build();
    try {
      kit.format();
      kit.startup();
      kit.waitForReadyBrokers();
    } catch (Exception e) {
      kit.close();
      throw e;
    }
    testKit = kit;
    bootstrapServers = kit.bootstrapServers();
  }

  /**
   * Stops the broker now, before the test class ends, to test what clients do in an outage. Only a
   * broker this helper started can be stopped; afterwards the class has no broker.
   *
   * @throws IllegalStateException for an {@link Kind#EXTERNAL} cluster
   */
  public void stopBroker() throws Exception {
    if (kind == Kind.EXTERNAL) {
      throw new IllegalStateException(
          "an external cluster (" + BOOTSTRAP_ENV + ") cannot be stopped by a test");
    }
    stopStarted();
    LOG.info("Kafka ({}) at {} stopped by the test", kind, bootstrapServers);
  }

  /** Stops what this helper started, once. */
  private void stopStarted() throws Exception {
    if (testKit != null) {
      final KafkaClusterTestKit kit = testKit;
      testKit = null; // its close() must run exactly once
      kit.close();
    }
    if (container != null) {
      final KafkaContainer running = container;
      container = null;
      running.stop();
    }
  }

  /** Which kind of broker serves the current test class. */
  public Kind kind() {
    return kind;
  }

  /** {@code bootstrap.servers} of the broker. */
  public String bootstrapServers() {
    if (bootstrapServers == null) {
      throw new IllegalStateException("Kafka is not running: register with @RegisterExtension");
    }
    return bootstrapServers;
  }

  /** A name no other test uses, for a topic, an application id or a group id. */
  public String uniqueName(final String prefix) {
    final String suffix = UUID.randomUUID().toString().substring(0, 8);
    return prefix.toLowerCase(Locale.ROOT) + "-" + NAME_COUNTER.incrementAndGet() + "-" + suffix;
  }

  /** Creates topics with one partition each (and the broker's replication factor). */
  public void createTopics(final String... names) {
    for (final String name : names) {
      createTopic(name, 1);
    }
  }

  /** Creates one topic with the given partition count (and the broker's replication factor). */
  public void createTopic(final String name, final int partitions) {
    try (Admin admin = Admin.create(adminProps())) {
      TopicSetup.ensureTopics(admin, List.of(TopicSpec.of(name, partitions)), ADMIN_TIMEOUT);
    }
  }

  /**
   * Creates the topics of the topology's global stores as {@code insession run} does (the catalogue
   * and, with live trending on, the default, the trending topic): for tests that create the other
   * topics by hand ({@code RecommenderStreams} refuses to start without them).
   */
  public void createGlobalStoreTopics(final InSessionConfig config) {
    try (Admin admin = Admin.create(adminProps())) {
      TopicSetup.ensureTopics(admin, InSessionTopics.globalStores(config, true), ADMIN_TIMEOUT);
    }
  }

  /** Settings for an {@link Admin} client. */
  public Map<String, Object> adminProps() {
    final Map<String, Object> props = new HashMap<>();
    props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return props;
  }

  /** Settings for a {@code KafkaProducer<byte[], byte[]>}: acks=all, no lingering. */
  public Map<String, Object> producerProps() {
    final Map<String, Object> props = adminProps();
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    return props;
  }

  /** Settings for a {@code KafkaProducer<String, String>}. */
  public Map<String, Object> stringProducerProps() {
    final Map<String, Object> props = producerProps();
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    return props;
  }

  /** Settings for a {@code KafkaConsumer<byte[], byte[]>} in {@code groupId}, from the start. */
  public Map<String, Object> consumerProps(final String groupId) {
    final Map<String, Object> props = adminProps();
    props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return props;
  }

  /** Settings for a {@code KafkaConsumer<String, String>} in {@code groupId}, from the start. */
  public Map<String, Object> stringConsumerProps(final String groupId) {
    final Map<String, Object> props = consumerProps(groupId);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    return props;
  }
}
