package io.insession.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.insession.config.InSessionConfig;
import io.insession.state.BoundedRocksDbMemory;
import io.insession.topology.ContinueProductionExceptionHandler;
import io.insession.topology.RecordProcessingExceptionHandler;
import io.insession.topology.SafeTimestampExtractor;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** The Streams properties the recommender runs with: the config's settings plus their wiring. */
class RecommenderStreamsTest {

  @Test
  void shouldWireTheHandlersThatKeepOneRecordFromStoppingTheApplication() {
    final Properties streams = RecommenderStreams.streamsProperties(InSessionConfig.of(Map.of()));

    assertThat(streams)
        .containsEntry(
            StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, SafeTimestampExtractor.class)
        .containsEntry(
            StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
            RecordProcessingExceptionHandler.class)
        .containsEntry(
            StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
            ContinueProductionExceptionHandler.class)
        .containsEntry(
            StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "weblog-events-dlq")
        .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
  }

  @Test
  void shouldBoundRocksDbMemoryByDefaultAndHandTheSetterItsSettings() {
    final Properties streams =
        RecommenderStreams.streamsProperties(
            InSessionConfig.of(Map.of(InSessionConfig.ROCKSDB_MEMORY_BYTES, "33554432")));
    ;

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
        RecommenderStreams.streamsProperties(
            InSessionConfig.of(Map.of("rocksdb.config.setter", "com.example.MySetter")));

    assertThat(streams.get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG))
        .isEqualTo("com.example.MySetter");
  }
}
