package io.insession.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.insession.config.InSessionConfig;
import io.insession.kafka.StubSchemaResolver;
import io.insession.kafka.Topics;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.SessionScorer;
import io.insession.testing.TestEvents;
import io.insession.testing.TestModels;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code insession.serde=confluent} the topology reads events and writes lists in the
 * Confluent wire format, and takes single-object bytes for bad input (an in-process schema resolver
 * stands in for the registry).
 */
class ConfluentWireTopologyTest {

  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  @TempDir Path stateDir;

  @Test
  void shouldReadAndWriteTheConfluentWireFormatWhenConfiguredSo() {
    final Topics topics = Topics.from(InSessionConfig.of(StubSchemaResolver.confluentSettings()));
    final Topics singleObject = Topics.from(InSessionConfig.of(Map.of()));
    final Properties props = TopologyTestProperties.production("confluent-wire-test");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    try (SessionScorer scorer = TestModels.tinyGruScorer();
        TopologyTestDriver driver =
            new TopologyTestDriver(
                RecommenderTopology.build(
                    TopologySettings.unbatched(60_000L, 1_000L, 50, 10, true),
                    scorer,
                    topics,
                    Clock.fixed(T0, ZoneOffset.UTC)),
                props)) {
      final TestInputTopic<byte[], byte[]> weblog =
          driver.createInputTopic(
              topics.weblog().name(),
              Serdes.ByteArray().serializer(),
              Serdes.ByteArray().serializer());
      final TestOutputTopic<String, byte[]> lists =
          driver.createOutputTopic(
              topics.recommendations().name(),
              Serdes.String().deserializer(),
              Serdes.ByteArray().deserializer());
      final TestOutputTopic<byte[], byte[]> deadLetters =
          driver.createOutputTopic(
              topics.deadLetter().name(),
              Serdes.ByteArray().deserializer(),
              Serdes.ByteArray().deserializer());
      final byte[] key = "alice".getBytes(StandardCharsets.UTF_8);
      final WeblogEvent event = TestEvents.view("alice", "e-1", TestModels.tinyItemId(3), T0);

      weblog.pipeInput(key, topics.weblog().valueSerde().serializer().serialize("t", event), T0);
      weblog.pipeInput(
          key, singleObject.weblog().valueSerde().serializer().serialize("t", event), T0);

      final List<byte[]> written = lists.readValuesToList();
      assertThat(written).hasSize(1);
      final ByteBuffer wire = ByteBuffer.wrap(written.get(0));
      assertThat(wire.get()).isEqualTo((byte) 0);
      assertThat((long) wire.getInt())
          .isEqualTo(StubSchemaResolver.idOf(RecommendationList.getClassSchema()));
      final RecommendationList list =
          topics.recommendations().valueSerde().deserializer().deserialize("t", written.get(0));
      assertThat(list.getTriggerEventId()).isEqualTo("e-1");
      assertThat(list.getItems()).hasSize(10);
      assertThat(
              new String(
                  deadLetters.readRecord().headers().lastHeader(DeadLetterHeaders.REASON).value(),
                  StandardCharsets.UTF_8))
          .isEqualTo(DeadLetterReason.UNDECODABLE.name());
    }
  }
}
