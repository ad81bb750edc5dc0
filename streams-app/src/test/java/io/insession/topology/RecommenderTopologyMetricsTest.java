package io.insession.topology;

import static io.insession.testing.TestEvents.event;
import static io.insession.testing.TestEvents.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.insession.avro.AvroSingleObjectSerde;
import io.insession.config.InSessionConfig;
import io.insession.kafka.Topics;
import io.insession.metrics.MicrometerTopologyMetrics;
import io.insession.metrics.TopologyMetrics;
import io.insession.schemas.EventType;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.ScorerVariants;
import io.insession.scoring.SessionScorer;
import io.insession.testing.TestModels;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the processors record through {@link TopologyMetrics}, on {@link TopologyTestDriver}. */
class RecommenderTopologyMetricsTest {

  private static final long GAP = 60_000L;
  private static final long SCAN = 1_000L;
  private static final Instant EMITTED = Instant.parse("2026-11-23T12:00:00Z");

  private static SessionScorer scorer;
  private static Topics topics;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private TopologyTestDriver driver;
  private TestInputTopic<byte[], byte[]> weblog;

  @BeforeAll
  static void loadModel() {
    scorer = TestModels.tinyGruScorer();
    topics = Topics.from(InSessionConfig.of(Map.of()));
  }

  @AfterAll
  static void closeModel() {
    scorer.close();
  }

  @BeforeEach
  void start() {
    final Properties props = TopologyTestProperties.production("topology-metrics-test");
    driver =
        new TopologyTestDriver(
            RecommenderTopology.build(
                TopologySettings.unbatched(GAP, SCAN, 50, 10, true),
                scorer,
                topics,
                Clock.fixed(EMITTED, ZoneOffset.UTC),
                new MicrometerTopologyMetrics(registry, List.of())),
            props);
    weblog =
        driver.createInputTopic(
            topics.weblog().name(),
            Serdes.ByteArray().serializer(),
            Serdes.ByteArray().serializer());
  }

  @AfterEach
  void closeDriver() {
    driver.close();
  }

  @Test
  void shouldCountEveryRecordInAndEachDeadLetterByReason() {
    final byte[] good = encode(view("s1", "e1", item(0), EMITTED));
    send(view("s1", "e1", item(0), EMITTED));
    weblog.pipeInput(null, good, EMITTED);
    weblog.pipeInput(key("s1"), "not avro at all".getBytes(StandardCharsets.UTF_8), EMITTED);
    weblog.pipeInput(key("s1"), Arrays.copyOf(good, 12), EMITTED);
    weblog.pipeInput(key("someone-else"), good, EMITTED);

    assertThat(counter("insession.events.in")).isEqualTo(5.0);
    assertThat(deadLetters("UNDECODABLE")).isEqualTo(2.0);
    assertThat(deadLetters("MISSING_KEY")).isEqualTo(1.0);
    assertThat(deadLetters("KEY_MISMATCH")).isEqualTo(1.0);
    assertThat(listsOut()).isEqualTo(1.0);
  }

  @Test
  void shouldRecordEndToEndLatencyFromEventTimeToEmissionForEachListOut() {
    send(view("s1", "e1", item(0), EMITTED.minusMillis(100)));
    send(view("s1", "e2", item(1), EMITTED.minusMillis(300)));
    send(event("s1", "e3", EventType.PAGE_VIEW, null, EMITTED));

    final Timer endToEnd =
        registry
            .get("insession.end.to.end.latency")
            .tag(MicrometerTopologyMetrics.VARIANT_TAG, ScorerVariants.DEFAULT)
            .timer();
    assertThat(listsOut()).isEqualTo(2.0);
    assertThat(endToEnd.count()).isEqualTo(2);
    assertThat(endToEnd.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(400.0);
    assertThat(endToEnd.max(TimeUnit.MILLISECONDS)).isEqualTo(300.0);
  }

  @Test
  void shouldTimeEachScorerCallWithItsBatchSize() {
    send(view("s1", "e1", item(0), EMITTED));
    send(view("s2", "e1", item(1), EMITTED));

    final Timer scoring =
        registry
            .get("insession.scoring.latency")
            .tag(MicrometerTopologyMetrics.VARIANT_TAG, ScorerVariants.DEFAULT)
            .timer();
    assertThat(scoring.count()).isEqualTo(2);
    assertThat(scoring.totalTime(TimeUnit.NANOSECONDS)).isPositive();
    assertThat(
            registry
                .get("insession.scoring.batch.size")
                .tag(MicrometerTopologyMetrics.VARIANT_TAG, ScorerVariants.DEFAULT)
                .summary()
                .totalAmount())
        .isEqualTo(2.0);
  }

  @Test
  void shouldCountTheActiveSessionsAtEachExpiryScan() {
    final Instant t0 = EMITTED.minus(Duration.ofHours(1));
    send(view("s1", "e1", item(0), t0));
    send(view("s2", "e1", item(1), t0));
    send(view("s3", "e1", item(2), t0.plusMillis(SCAN)));
    driver.advanceWallClockTime(Duration.ofMillis(SCAN));
    assertThat(activeSessions()).as("the scan a second later sees three").isEqualTo(3.0);

    // the scan interval passes, then the gap: by the stream's clock s1, s2 and s3 are idle
    driver.advanceWallClockTime(Duration.ofMillis(SCAN));
    driver.advanceWallClockTime(Duration.ofMillis(GAP));
    send(view("s4", "e1", item(3), t0.plusMillis(GAP + SCAN + 1)));
    driver.advanceWallClockTime(Duration.ofMillis(SCAN));
    assertThat(activeSessions()).as("s1, s2 and s3 expired, s4 left").isEqualTo(1.0);
  }

  private double listsOut() {
    return registry
        .get("insession.lists.out")
        .tag(MicrometerTopologyMetrics.VARIANT_TAG, ScorerVariants.DEFAULT)
        .counter()
        .count();
  }

  private double counter(final String name) {
    return registry.get(name).counter().count();
  }

  private double deadLetters(final String reason) {
    return registry.get("insession.dead.letters").tag("reason", reason).counter().count();
  }

  private double activeSessions() {
    return registry.get("insession.active.sessions").gauge().value();
  }

  private void send(final WeblogEvent event) {
    weblog.pipeInput(key(event.getSessionId()), encode(event), event.getEventTime());
  }

  private static byte[] encode(final WeblogEvent event) {
    return AvroSingleObjectSerde.forType(WeblogEvent.class).serialize("t", event);
  }

  private static byte[] key(final String sessionId) {
    return sessionId.getBytes(StandardCharsets.UTF_8);
  }

  private static String item(final int index) {
    return TestModels.tinyItemId(index);
  }
}
