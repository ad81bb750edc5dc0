package io.insession.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class InSessionConfigTest {

  @Test
  void shouldDefaultToExactlyOnceAndPerEventLatencySettings() {
    final Properties streams = InSessionConfig.of(Map.of()).streamsSettings();

    assertThat(streams.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
        .isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
    assertThat(streams.get(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG)).isEqualTo(0);
    assertThat(streams.get("producer.linger.ms")).isEqualTo(0);
    assertThat(streams.get(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("insession");
    assertThat(InSessionConfig.of(Map.of()).sessionGapMs()).isEqualTo(30 * 60 * 1000L);
  }

  @Test
  void shouldRejectRocksDbSettingsOutOfRange() {
    assertRejected(InSessionConfig.ROCKSDB_MEMTABLE_FRACTION, "0.95");
    assertRejected(InSessionConfig.ROCKSDB_WRITE_BUFFER_COUNT, "1");
    assertRejected(InSessionConfig.ROCKSDB_MEMORY_BYTES, "1000");
  }

  @Test
  void shouldLayerFileThenEnvironmentThenOverrides(@TempDir final Path dir) throws Exception {
    final Path file = dir.resolve("insession.properties");
    Files.writeString(
        file,
        "insession.session.gap.ms=1000\ninsession.recommendations.count=5\n"
            + "bootstrap.servers=file:9092\nsecurity.protocol=SSL\n");

    final InSessionConfig config =
        InSessionConfig.load(
            file,
            Map.of(
                "INSESSION_RECOMMENDATIONS_COUNT", "7",
                "KAFKA_BOOTSTRAP_SERVERS", "env:9092",
                "PATH", "/usr/bin"),
            Map.of("insession.session.gap.ms", "2000"));

    assertThat(config.sessionGapMs()).isEqualTo(2000L);
    assertThat(config.getInt(InSessionConfig.RECOMMENDATIONS_COUNT)).isEqualTo(7);
    assertThat(config.bootstrapServers()).isEqualTo("env:9092");
    assertThat(config.streamsSettings().get("security.protocol")).isEqualTo("SSL");
    assertThat(config.kafkaProperties()).doesNotContainKey("path");
  }

  @Test
  void shouldLetKafkaSettingsOverrideInSessionDefaults() {
    final Properties streams =
        InSessionConfig.of(Map.of("processing.guarantee", "at_least_once")).streamsSettings();

    assertThat(streams.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo("at_least_once");
  }

  @Test
  void shouldRejectUnknownAndInvalidInSessionSettings() {
    assertRejected("insession.sesion.gap.ms", "1");
    assertRejected(InSessionConfig.SESSION_GAP_MS, "0");
    assertRejected(InSessionConfig.SCORING_DEVICE, "tpu");
  }

  /** {@code key=value} is refused with a message that names both. */
  private static void assertRejected(final String key, final String value) {
    assertThatThrownBy(() -> InSessionConfig.of(Map.of(key, value)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(key)
        .hasMessageContaining(value);
  }

  @Test
  void shouldServeMetricsOn8081AndPollLagEveryFiveSecondsByDefault() throws Exception {
    final InSessionConfig defaults = InSessionConfig.of(Map.of());

    assertThat(defaults.getInt(InSessionConfig.METRICS_PORT)).isEqualTo(8081);
    assertThat(defaults.getLong(InSessionConfig.METRICS_LAG_INTERVAL_MS)).isEqualTo(5_000L);
    assertThat(
            InSessionConfig.load(null, Map.of("INSESSION_METRICS_PORT", "9100"), Map.of())
                .getInt(InSessionConfig.METRICS_PORT))
        .isEqualTo(9100);
    assertRejected(InSessionConfig.METRICS_PORT, "70000");
    assertRejected(InSessionConfig.METRICS_LAG_INTERVAL_MS, "0");
  }

  @Test
  void shouldMaskSecretsWhenDescribingTheEffectiveConfig() {
    final Map<String, String> described =
        InSessionConfig.of(
                Map.of(
                    "sasl.jaas.config", "org.apache...required password=\"p\";",
                    "ssl.truststore.password", "changeit",
                    "bootstrap.servers", "b:9092"))
            .describe();

    assertThat(described.get("sasl.jaas.config")).isEqualTo("[hidden]");
    assertThat(described.get("ssl.truststore.password")).isEqualTo("[hidden]");
    assertThat(described.get("bootstrap.servers")).isEqualTo("b:9092");
    assertThat(described).containsKey(InSessionConfig.SESSION_GAP_MS);
  }

  /** What Kubernetes puts into a pod: service links of several Services, and the real settings. */
  private static Map<String, String> podEnvironment() {
    final Map<String, String> env = new HashMap<>();
    for (final String service : List.of("INSESSION_LOOKUP", "INSESSION_STREAMS", "KAFKA")) {
      env.put(service + "_SERVICE_HOST", "10.0.0.1");
      env.put(service + "_SERVICE_PORT", "8080");
      env.put(service + "_SERVICE_PORT_HTTP", "8080");
      env.put(service + "_PORT", "tcp://10.0.0.1:8080");
      env.put(service + "_PORT_8080_TCP", "tcp://10.0.0.1:8080");
      env.put(service + "_PORT_8080_TCP_PROTO", "tcp");
      env.put(service + "_PORT_8080_TCP_PORT", "8080");
      env.put(service + "_PORT_8080_TCP_ADDR", "10.0.0.1");
    }
    env.put("KUBERNETES_SERVICE_HOST", "10.96.0.1");
    env.put("KUBERNETES_PORT_443_TCP", "tcp://10.96.0.1:443");
    env.put("HOSTNAME", "insession-streams-0");
    env.put("INSESSION_JAVA_OPTS", "-Xmx1g");
    env.put("KAFKA_BOOTSTRAP_SERVERS", "kafka-bootstrap.kafka.svc:9092");
    env.put("INSESSION_INSTANCE_ID", "insession-streams-0");
    env.put("KAFKA_NUM_STREAM_THREADS", "2");
    env.put("INSESSION_APPLICATION_ID", "shop-recommender");
    env.put("INSESSION_TOPIC_PARTITIONS", "12");
    env.put("INSESSION_METRICS_PORT", "8081");
    return env;
  }

  @Test
  void shouldStartFromAKubernetesPodEnvironmentAndWarnOnceAboutTheServiceLinks() throws Exception {
    final Logger logger = (Logger) LoggerFactory.getLogger(InSessionConfig.class);
    final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    final InSessionConfig config;
    try {
      config = InSessionConfig.load(null, podEnvironment(), Map.of());
    } finally {
      logger.detachAppender(appender);
    }

    assertThat(config.bootstrapServers()).isEqualTo("kafka-bootstrap.kafka.svc:9092");
    assertThat(config.applicationId()).isEqualTo("shop-recommender");
    assertThat(config.getInt(InSessionConfig.TOPIC_PARTITIONS)).isEqualTo(12);
    assertThat(config.streamsSettings())
        .containsEntry("num.stream.threads", "2")
        .containsEntry("group.instance.id", "insession-streams-0");
    assertThat(config.kafkaProperties())
        .containsOnlyKeys("bootstrap.servers", "num.stream.threads");
    final List<ILoggingEvent> warnings =
        appender.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0).getFormattedMessage())
        .contains("INSESSION_LOOKUP_SERVICE_HOST", "INSESSION_STREAMS_PORT_8080_TCP_ADDR")
        .contains("KAFKA_SERVICE_PORT_HTTP", "KAFKA_PORT")
        .doesNotContain("KAFKA_BOOTSTRAP_SERVERS", "INSESSION_JAVA_OPTS", "KUBERNETES");
  }

  @Test
  void shouldKeepUnknownKeysFatalInAFileAndInOverrides(@TempDir final Path dir) throws Exception {
    final Path file = dir.resolve("insession.properties");
    Files.writeString(file, "insession.lookup.service.host=10.0.0.1\n");

    assertThatThrownBy(() -> InSessionConfig.load(file, Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("insession.lookup.service.host");
    assertThatThrownBy(
            () -> InSessionConfig.load(null, Map.of(), Map.of("insession.sesion.gap.ms", "1")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("insession.sesion.gap.ms");
  }

  @Test
  void shouldTakeKafkasApplicationIdAsTheOneApplicationId() throws Exception {
    final InSessionConfig config =
        InSessionConfig.load(null, Map.of("KAFKA_APPLICATION_ID", "shop-a"), Map.of());

    assertThat(config.applicationId()).isEqualTo("shop-a");
    assertThat(config.getString(InSessionConfig.APPLICATION_ID)).isEqualTo("shop-a");
    assertThat(config.streamsSettings().get(StreamsConfig.APPLICATION_ID_CONFIG))
        .isEqualTo("shop-a");
    assertThat(config.kafkaProperties()).doesNotContainKey(StreamsConfig.APPLICATION_ID_CONFIG);
    assertThat(
            InSessionConfig.of(
                    Map.of(
                        InSessionConfig.APPLICATION_ID, "shop-b",
                        StreamsConfig.APPLICATION_ID_CONFIG, "shop-b"))
                .applicationId())
        .isEqualTo("shop-b");
  }

  @Test
  void shouldRejectTwoDifferentApplicationIds() {
    assertThatThrownBy(
            () ->
                InSessionConfig.load(
                    null,
                    Map.of("INSESSION_APPLICATION_ID", "shop-a", "KAFKA_APPLICATION_ID", "shop-b"),
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("insession.application.id=shop-a")
        .hasMessageContaining("application.id=shop-b")
        .hasMessageContaining("differ");
  }

  @Test
  void shouldDefaultToATenSecondSessionTimeoutWithHeartbeatsFiveTimesAsOften() {
    assertThat(InSessionConfig.of(Map.of()).streamsSettings())
        .containsEntry("session.timeout.ms", 10_000)
        .containsEntry("heartbeat.interval.ms", 2_000);
    assertThat(
            InSessionConfig.of(Map.of(InSessionConfig.STREAMS_SESSION_TIMEOUT_MS, "6000"))
                .streamsSettings())
        .containsEntry("session.timeout.ms", 6_000)
        .containsEntry("heartbeat.interval.ms", 1_200);
    // never less often than Kafka's own 3 s
    assertThat(
            InSessionConfig.of(Map.of(InSessionConfig.STREAMS_SESSION_TIMEOUT_MS, "45000"))
                .streamsSettings())
        .containsEntry("heartbeat.interval.ms", 3_000);
    // a heartbeat interval given explicitly wins
    assertThat(InSessionConfig.of(Map.of("heartbeat.interval.ms", "500")).streamsSettings())
        .containsEntry("heartbeat.interval.ms", "500");
  }

  @Test
  void shouldTakeKafkasSessionTimeoutAsTheStreamsSessionTimeout() throws Exception {
    final InSessionConfig config =
        InSessionConfig.load(null, Map.of("KAFKA_SESSION_TIMEOUT_MS", "30000"), Map.of());

    assertThat(config.getInt(InSessionConfig.STREAMS_SESSION_TIMEOUT_MS)).isEqualTo(30_000);
    assertThat(config.streamsSettings())
        .containsEntry("session.timeout.ms", 30_000)
        .containsEntry("heartbeat.interval.ms", 3_000);
    assertThat(config.kafkaProperties()).doesNotContainKey("session.timeout.ms");
    assertThatThrownBy(
            () ->
                InSessionConfig.of(
                    Map.of(
                        InSessionConfig.STREAMS_SESSION_TIMEOUT_MS,
                        "6000",
                        "session.timeout.ms",
                        "30000")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("insession.streams.session.timeout.ms=6000")
        .hasMessageContaining("session.timeout.ms=30000")
        .hasMessageContaining("differ");
    assertRejected(InSessionConfig.STREAMS_SESSION_TIMEOUT_MS, "999");
  }

  @Test
  void shouldBeADynamicMemberUnlessAnInstanceIdIsSet() {
    assertThat(InSessionConfig.of(Map.of()).streamsSettings())
        .doesNotContainKey("group.instance.id");
    assertThat(
            InSessionConfig.of(Map.of(InSessionConfig.INSTANCE_ID, "insession-streams-2"))
                .streamsSettings())
        .containsEntry("group.instance.id", "insession-streams-2");
  }

  @Test
  void shouldTakeKafkasGroupInstanceIdAsTheInstanceId() throws Exception {
    final InSessionConfig config =
        InSessionConfig.load(
            null, Map.of("KAFKA_GROUP_INSTANCE_ID", "insession-streams-1"), Map.of());

    assertThat(config.getString(InSessionConfig.INSTANCE_ID)).isEqualTo("insession-streams-1");
    assertThat(config.streamsSettings()).containsEntry("group.instance.id", "insession-streams-1");
    // plain clients (admin, producers, the lookup API's readers) are not group members
    assertThat(config.clientProperties()).doesNotContainKey("group.instance.id");
    assertThatThrownBy(
            () ->
                InSessionConfig.load(
                    null,
                    Map.of("INSESSION_INSTANCE_ID", "pod-0", "KAFKA_GROUP_INSTANCE_ID", "pod-1"),
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("insession.instance.id=pod-0")
        .hasMessageContaining("group.instance.id=pod-1")
        .hasMessageContaining("differ");
  }

  @Test
  void shouldRejectAnInstanceIdKafkaWouldRefuse() {
    assertRejected(InSessionConfig.INSTANCE_ID, "pod 0");
    assertRejected(InSessionConfig.INSTANCE_ID, "pod/0");
    assertRejected(InSessionConfig.INSTANCE_ID, "p".repeat(241));
    assertThat(
            InSessionConfig.of(Map.of(InSessionConfig.INSTANCE_ID, "p".repeat(240)))
                .getString(InSessionConfig.INSTANCE_ID))
        .hasSize(240);
  }

  @Test
  void shouldLeaveTheGroupOnACleanStopByDefault() {
    assertThat(
            InSessionConfig.of(Map.of()).getBoolean(InSessionConfig.STREAMS_LEAVE_GROUP_ON_CLOSE))
        .isTrue();
  }

  @Test
  void shouldKeepOneStandbyReplicaOfEachTaskByDefaultThatKafkaSettingsReplace() {
    assertThat(InSessionConfig.of(Map.of()).streamsSettings())
        .containsEntry("num.standby.replicas", 1);
    assertThat(InSessionConfig.of(Map.of("num.standby.replicas", "2")).streamsSettings())
        .containsEntry("num.standby.replicas", "2");
  }
}
