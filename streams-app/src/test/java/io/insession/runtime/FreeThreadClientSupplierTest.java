package io.insession.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.insession.avro.AvroSingleObjectSerde;
import io.insession.config.InSessionConfig;
import io.insession.kafka.Topics;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.SessionScorer;
import io.insession.testing.TestEvents;
import io.insession.testing.TestModels;
import io.insession.topology.RecommenderTopology;
import io.insession.topology.TopologySettings;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

/**
 * The stream thread's main consumer tells the thread's micro-batch when the thread is free, and
 * does not block in a poll while an event of the thread waits to be scored: the topology test
 * driver runs the topology on this thread, whose consumer is the signalling one here.
 */
class FreeThreadClientSupplierTest {

  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  /** A consumer that remembers the timeout of each poll. */
  private static final class RecordingConsumer extends MockConsumer<byte[], byte[]> {
    private final List<Duration> polls = new ArrayList<>();

    RecordingConsumer() {
      super("earliest");
    }

    @Override
    public synchronized ConsumerRecords<byte[], byte[]> poll(final Duration timeout) {
      polls.add(timeout);
      return ConsumerRecords.empty();
    }
  }

  @Test
  void shouldPollWithoutBlockingWhileAnEventOfTheThreadWaitsThenScoreItOnTheNextPunctuation() {
    final RecordingConsumer recording = new RecordingConsumer();
    final Consumer<byte[], byte[]> consumer =
        FreeThreadClientSupplier.freeThreadSignalling(recording);
    final Topics topics = Topics.from(InSessionConfig.of(Map.of()));
    final TopologySettings settings =
        TopologySettings.unbatched(30 * 60_000L, 60_000L, 50, 10, true).withBatching(64, 600_000);
    final Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "free-thread-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");

    consumer.poll(Duration.ofMillis(100));
    try (SessionScorer scorer = TestModels.tinyGruScorer();
        TopologyTestDriver driver =
            new TopologyTestDriver(
                RecommenderTopology.build(
                    settings, scorer, topics, Clock.fixed(T0, ZoneOffset.UTC)),
                props,
                T0)) {
      final TestInputTopic<byte[], byte[]> in =
          driver.createInputTopic(
              topics.weblog().name(),
              Serdes.ByteArray().serializer(),
              Serdes.ByteArray().serializer());
      final TestOutputTopic<String, RecommendationList> out =
          driver.createOutputTopic(
              topics.recommendations().name(),
              topics.recommendations().keySerde().deserializer(),
              topics.recommendations().valueSerde().deserializer());
      final WeblogEvent view = TestEvents.view("s-1", "e-1", TestModels.tinyItemId(1), T0);
      in.pipeInput(
          "s-1".getBytes(StandardCharsets.UTF_8),
          AvroSingleObjectSerde.forType(WeblogEvent.class).serialize("t", view),
          T0);
      assertThat(out.isEmpty()).isTrue();

      consumer.poll(Duration.ofMillis(100));
      driver.advanceWallClockTime(Duration.ofMillis(1));

      assertThat(out.readValuesToList())
          .extracting(RecommendationList::getTriggerEventId)
          .containsExactly("e-1");
      consumer.poll(Duration.ofMillis(100));
    }
    assertThat(recording.polls)
        .as("blocks while idle, not while an event waits")
        .containsExactly(
            Duration.ofMillis(100),
            Duration.ofMillis(FreeThreadClientSupplier.WAITING_POLL_MS),
            Duration.ofMillis(100));
  }
}
