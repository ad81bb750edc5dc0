package io.insession.topology;

import io.insession.avro.AvroSingleObjectSerde;
import io.insession.config.InSessionConfig;
import io.insession.kafka.Topic;
import io.insession.kafka.Topics;
import io.insession.metrics.MicrometerTopologyMetrics;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.SessionState;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.CurrentVariants;
import io.insession.session.SessionStates;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The micro-batched topology on a {@link CurrentVariants} set in a {@link TopologyTestDriver}, on
 * the production Streams properties, its meters in a given registry: the fixture of the variant,
 * warm-session and seen-items tests.
 */
final class BatchedVariantsDriver implements AutoCloseable {

  static final long GAP = 60_000L;
  static final long BATCH_DELAY_MS = 2;
  static final int LIST_LENGTH = 10;
  static final Instant EMITTED = Instant.parse("2026-11-23T12:00:00Z");

  private final TopologyTestDriver driver;
  private final TestInputTopic<byte[], byte[]> weblog;
  private final TestOutputTopic<String, RecommendationList> recommendations;

  BatchedVariantsDriver(
      final CurrentVariants variants, final MeterRegistry registry, final String applicationId) {
    this(
        variants,
        TopologySettings.unbatched(GAP, 1_000L, 50, LIST_LENGTH, false)
            .withBatching(64, BATCH_DELAY_MS),
        registry,
        applicationId);
  }

  /** The topology on other settings (the default topic names). */
  BatchedVariantsDriver(
      final CurrentVariants variants,
      final TopologySettings settings,
      final MeterRegistry registry,
      final String applicationId) {
    final Topics topics = Topics.from(InSessionConfig.of(Map.of()));
    driver =
        new TopologyTestDriver(
            RecommenderTopology.build(
                settings,
                variants,
                topics,
                Clock.fixed(EMITTED, ZoneOffset.UTC),
                new MicrometerTopologyMetrics(registry, List.of()),
                1),
            TopologyTestProperties.production(applicationId),
            EMITTED);
    weblog =
        driver.createInputTopic(
            topics.weblog().name(),
            Serdes.ByteArray().serializer(),
            Serdes.ByteArray().serializer());
    recommendations =
        driver.createOutputTopic(
            topics.recommendations().name(),
            topics.recommendations().keySerde().deserializer(),
            topics.recommendations().valueSerde().deserializer());
  }

  /** Sends {@code event} keyed by its session, stamped with its event time. */
  void pipe(final WeblogEvent event) {
    weblog.pipeInput(
        event.getSessionId().getBytes(StandardCharsets.UTF_8),
        AvroSingleObjectSerde.forType(WeblogEvent.class).serialize("t", event),
        event.getEventTime());
  }

  /** Lets the batch delay pass: the pending batch is scored. */
  void flushBatch() {
    driver.advanceWallClockTime(Duration.ofMillis(BATCH_DELAY_MS));
  }

  /** Lets {@code time} of wall-clock time pass (punctuators). */
  void advance(final Duration time) {
    driver.advanceWallClockTime(time);
  }

  /** Another output topic of the topology. */
  <K, V> TestOutputTopic<K, V> output(final Topic<K, V> topic) {
    return driver.createOutputTopic(
        topic.name(), topic.keySerde().deserializer(), topic.valueSerde().deserializer());
  }

  /** The lists emitted since the last call. */
  List<RecommendationList> lists() {
    return recommendations.readValuesToList();
  }

  /** The session store. */
  KeyValueStore<String, SessionState> sessions() {
    return driver.getKeyValueStore(SessionStates.STORE_NAME);
  }

  @Override
  public void close() {
    driver.close();
  }
}
