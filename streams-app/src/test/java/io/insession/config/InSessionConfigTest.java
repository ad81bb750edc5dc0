package io.insession.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.insession.state.BoundedRocksDbMemory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InSessionConfigTest {

  @Test
  void shouldDefaultToExactlyOnceAndPerEventLatencySettings() {
    final Properties streams = InSessionConfig.of(Map.of()).streamsProperties();

    assertThat(streams.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
        .isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
    assertThat(streams.get(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG)).isEqualTo(0);
    assertThat(streams.get("producer.linger.ms")).isEqualTo(0);
    assertThat(streams.get(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("insession");
    assertThat(InSessionConfig.of(Map.of()).sessionGapMs()).isEqualTo(30 * 60 * 1000L);
  }

  @Test
  void shouldBoundRocksDbMemoryByDefaultAndHandTheSetterItsSettings() {
    final Properties streams =
        InSessionConfig.of(Map.of(InSessionConfig.ROCKSDB_MEMORY_BYTES, "33554432"))
            .streamsProperties();

    assertThat(streams.get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG))
        .isEqualTo(BoundedRocksDbMemory.class);
    assertThat(streams)
        .containsEntry(InSessionConfig.ROCKSDB_MEMORY_BYTES, 32L * 1024 * 1024)
        .containsEntry(InSessionConfig.ROCKSDB_MEMTABLE_FRACTION, 0.5)
        .containsEntry(InSessionConfig.ROCKSDB_WRITE_BUFFER_COUNT, 3);
    assertThat(InSessionConfig.of(Map.of()).getLong(InSessionConfig.ROCKSDB_MEMORY_BYTES))
        .isEqualTo(64L * 1024 * 1024);
  }

  @Test
  void shouldLetAKafkaSettingReplaceTheRocksDbConfigSetter() {
    final Properties streams =
        InSessionConfig.of(Map.of("rocksdb.config.setter", "com.example.MySetter"))
            .streamsProperties();

    assertThat(streams.get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG))
        .isEqualTo("com.example.MySetter");
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
    assertThat(config.streamsProperties().get("security.protocol")).isEqualTo("SSL");
    assertThat(config.kafkaProperties()).doesNotContainKey("path");
  }

  @Test
  void shouldLetKafkaSettingsOverrideInSessionDefaults() {
    final Properties streams =
        InSessionConfig.of(Map.of("processing.guarantee", "at_least_once")).streamsProperties();

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
}
