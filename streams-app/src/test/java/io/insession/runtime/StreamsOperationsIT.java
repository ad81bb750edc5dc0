package io.insession.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.insession.config.InSessionConfig;
import io.insession.kafka.Topics;
import io.insession.metrics.PrometheusMetrics;
import io.insession.schemas.EventType;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.SessionScorer;
import io.insession.testing.HttpJson;
import io.insession.testing.HttpText;
import io.insession.testing.KafkaTestCluster;
import io.insession.testing.ManualClock;
import io.insession.testing.TestModels;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streams app's metrics, health and readiness endpoint on a real broker, read over HTTP as
 * Prometheus would: the topology's counters, the lag while the topology is paused, the input-idle
 * gauge once producers stop, and Kafka Streams' own metrics.
 */
class StreamsOperationsIT {

  @RegisterExtension static final KafkaTestCluster KAFKA = new KafkaTestCluster();

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final int PARTITIONS = 2;
  private static final String LAG = "insession_consumer_lag_records";
  private static final String IDLE = "insession_input_idle_seconds";
  private static final String DEFAULT_VARIANT = "variant=\"default\"";
  private static final Duration IDLE_STEP = Duration.ofSeconds(10);
  private static final Duration LAG_STALL = Duration.ofSeconds(1);

  @TempDir Path stateDir;

  @Test
  void shouldExposeTrafficLagAndIdlenessOfTheRealTopology() throws Exception {
    final InSessionConfig config = config();
    final Topics topics = Topics.from(config);
    KAFKA.createTopic(topics.weblog().name(), PARTITIONS);
    KAFKA.createTopics(topics.deadLetter().name(), topics.recommendations().name());
    KAFKA.createGlobalStoreTopics(config);
    final PrometheusMeterRegistry registry = PrometheusMetrics.newRegistry();
    // the idle gauges count by this clock: it moves only where the test says, never by itself
    final ManualClock clock = new ManualClock(Instant.now());

    try (SessionScorer scorer = TestModels.tinyGruScorer();
        StreamsRunner streams =
            RecommenderStreams.create(config, scorer, StreamsOperations.topologyMetrics(registry));
        StreamsOperations operations =
            StreamsOperations.start(config, registry, streams, scorer.model(), clock);
        KafkaProducer<String, byte[]> producer =
            new KafkaProducer<>(
                KAFKA.stringProducerProps(),
                topics.weblog().keySerde().serializer(),
                new ByteArraySerializer())) {
      final HttpText metrics = new HttpText(operations.port());
      final HttpJson json = new HttpJson(operations.port());
      assertThat(json.get("/health").status()).isEqualTo(200);

      streams.start();
      assertThat(streams.awaitRunning(TIMEOUT)).isTrue();
      await().atMost(TIMEOUT).until(() -> json.get("/ready").status() == 200);
      final JsonNode ready = json.get("/ready").body();
      assertThat(ready.get("streamsState").asText()).isEqualTo("RUNNING");
      assertThat(ready.get("model").get("name").asText()).isEqualTo(scorer.model().name());
      assertThat(ready.get("model").get("version").asText()).isEqualTo(scorer.model().version());
      assertThat(ready.get("variants")).hasSize(1);
      assertThat(ready.get("variants").get(0).get("variant").asText()).isEqualTo("default");
      assertThat(ready.get("variants").get(0).get("version").asText())
          .isEqualTo(scorer.model().version());
      await()
          .atMost(TIMEOUT)
          .untilAsserted(
              () ->
                  assertThat(series(metrics.get("/metrics").body(), IDLE))
                      .as("one idle and one lag series per input partition, from the start")
                      .hasSize(PARTITIONS));
      assertThat(json.get("/ready").body().get("lag").asLong()).isZero();

      // traffic: six views and one record that is not Avro
      produce(producer, topics, 0, 6);
      producer.send(
          new ProducerRecord<>(
              topics.weblog().name(), "s-0", "not avro".getBytes(StandardCharsets.UTF_8)));
      producer.flush();
      await()
          .atMost(TIMEOUT)
          .untilAsserted(
              () -> {
                final HttpText.Answer answer = metrics.get("/metrics");
                assertThat(answer.contentType()).isEqualTo(PrometheusMetrics.CONTENT_TYPE);
                final String text = answer.body();
                assertThat(value(text, "insession_events_in_total", "")).isEqualTo(7.0);
                assertThat(value(text, "insession_lists_out_total", DEFAULT_VARIANT))
                    .isEqualTo(6.0);
                assertThat(value(text, "insession_dead_letters_total", "reason=\"UNDECODABLE\""))
                    .isEqualTo(1.0);
                assertThat(
                        value(text, "insession_end_to_end_latency_seconds_count", DEFAULT_VARIANT))
                    .isEqualTo(6.0);
                // micro-batching: 6 requests in as many scorer calls or fewer
                assertThat(value(text, "insession_scoring_batch_size_sum", DEFAULT_VARIANT))
                    .isEqualTo(6.0);
                assertThat(value(text, "insession_scoring_latency_seconds_count", DEFAULT_VARIANT))
                    .isBetween(1.0, 6.0);
                assertThat(sum(text, LAG)).isZero();
              });

      // producers stop: the partitions go idle
      awaitIdleAfterMoving(clock, metrics);

      // paused: new events pile up as lag, and the log end moves (no longer idle)
      streams.streams().pause();
      produce(producer, topics, 100, 10);
      producer.flush();
      await()
          .atMost(TIMEOUT)
          .untilAsserted(
              () -> {
                final String text = metrics.get("/metrics").body();
                assertThat(sum(text, LAG)).isEqualTo(10.0);
                assertThat(min(text, IDLE)).as("the clock stood still since the move").isZero();
              });
      assertThat(json.get("/ready").body().get("lag").asLong()).isEqualTo(10L);
      // a consumer that does not fetch: lag above 0, committed offsets standing still for longer
      // than the stall time (insession.metrics.ready.lag.stall.ms, 1 s here) by the monitor's clock
      clock.advance(LAG_STALL.plusMillis(1));
      await()
          .atMost(TIMEOUT)
          .untilAsserted(
              () -> {
                final HttpJson.Answer stalled = json.get("/ready");
                assertThat(stalled.status()).isEqualTo(503);
                assertThat(stalled.body().get("reason").asText()).startsWith("lag not moving");
                assertThat(stalled.body().get("streamsState").asText()).isEqualTo("RUNNING");
              });

      // resumed: the lag drains, and with no new events the input goes idle again
      streams.streams().resume();
      await().atMost(TIMEOUT).until(() -> json.get("/ready").status() == 200);
      await()
          .atMost(TIMEOUT)
          .untilAsserted(
              () -> {
                final String text = metrics.get("/metrics").body();
                assertThat(sum(text, LAG)).isZero();
                assertThat(value(text, "insession_events_in_total", "")).isEqualTo(17.0);
              });
      awaitIdleAfterMoving(clock, metrics);

      final String text = metrics.get("/metrics").body();
      assertThat(text)
          .contains("insession_model_info{model=\"" + scorer.model().name() + "\"")
          .contains("insession_active_sessions ")
          .contains("insession_end_to_end_latency_seconds_bucket{variant=\"default\",le=\"0.25\"}")
          .contains("insession_scoring_batch_size_sum{variant=\"default\"} 16.0")
          .containsPattern("kafka_stream_thread_process_rate\\{[^}]*thread_id=")
          .containsPattern("kafka_stream_thread_thread_state\\{[^}]*thread_id=");
    }
  }

  @Test
  void shouldNotBeReadyUntilTheModelIsWarm() throws Exception {
    final InSessionConfig config = config();
    final Topics topics = Topics.from(config);
    KAFKA.createTopic(topics.weblog().name(), PARTITIONS);
    KAFKA.createTopics(topics.deadLetter().name(), topics.recommendations().name());
    KAFKA.createGlobalStoreTopics(config);
    final PrometheusMeterRegistry registry = PrometheusMetrics.newRegistry();
    final CountDownLatch gate = new CountDownLatch(1);

    try (SessionScorer tiny = TestModels.tinyGruScorer()) {
      final ScorerWarmupTest.Recording gated = new ScorerWarmupTest.Recording(tiny);
      gated.gate = gate;
      try (StreamsRunner streams =
              RecommenderStreams.create(
                  config, gated, StreamsOperations.topologyMetrics(registry));
          StreamsOperations operations =
              StreamsOperations.start(config, registry, streams, gated.model())) {
        final HttpJson json = new HttpJson(operations.port());
        streams.start();
        assertThat(streams.awaitRunning(TIMEOUT)).isTrue();
        await().atMost(TIMEOUT).until(() -> json.get("/ready").body().has("lag"));

        final HttpJson.Answer warming = json.get("/ready");
        assertThat(warming.status()).isEqualTo(503);
        assertThat(warming.body().get("reason").asText()).isEqualTo("model warming up");
        assertThat(warming.body().get("streamsState").asText()).isEqualTo("RUNNING");

        gate.countDown();
        await().atMost(TIMEOUT).until(() -> json.get("/ready").status() == 200);
      } finally {
        gate.countDown();
      }
    }
  }

  private InSessionConfig config() {
    final Map<String, String> settings = new HashMap<>();
    settings.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
    settings.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    settings.put(InSessionConfig.APPLICATION_ID, KAFKA.uniqueName("metrics-app"));
    settings.put(InSessionConfig.WEBLOG_TOPIC, KAFKA.uniqueName("weblog"));
    settings.put(InSessionConfig.DEAD_LETTER_TOPIC, KAFKA.uniqueName("dlq"));
    settings.put(InSessionConfig.RECOMMENDATIONS_TOPIC, KAFKA.uniqueName("recommendations"));
    settings.put(InSessionConfig.METRICS_PORT, "0");
    // authentication has its own tests (ApiSecurityIT)
    settings.put(InSessionConfig.API_AUTH, InSessionConfig.AUTH_NONE);
    settings.put(InSessionConfig.METRICS_LAG_INTERVAL_MS, "200");
    settings.put(InSessionConfig.METRICS_READY_LAG_STALL_MS, String.valueOf(LAG_STALL.toMillis()));
    return InSessionConfig.of(settings);
  }

  /** {@code count} views, each of its own session, spread over the partitions by their keys. */
  private static void produce(
      final KafkaProducer<String, byte[]> producer,
      final Topics topics,
      final int first,
      final int count) {
    for (int i = first; i < first + count; i++) {
      final WeblogEvent event =
          WeblogEvent.newBuilder()
              .setEventId("e-" + i)
              .setSessionId("s-" + i)
              .setEventType(EventType.PRODUCT_VIEW)
              .setItemId(TestModels.tinyItemId(i % 20))
              .setEventTime(Instant.now())
              .build();
      producer.send(
          new ProducerRecord<>(
              topics.weblog().name(),
              event.getSessionId(),
              topics.weblog().valueSerde().serializer().serialize("", event)));
    }
  }

  /** The samples of one metric: labels (as written) to value. */
  private static Map<String, Double> series(final String text, final String name) {
    final Pattern line =
        Pattern.compile(
            "^" + Pattern.quote(name) + "(?:\\{([^}]*)\\})? (\\S+)$", Pattern.MULTILINE);
    final Map<String, Double> samples = new HashMap<>();
    final Matcher matcher = line.matcher(text);
    while (matcher.find()) {
      samples.put(
          matcher.group(1) == null ? "" : matcher.group(1), Double.parseDouble(matcher.group(2)));
    }
    return samples;
  }

  private static double value(final String text, final String name, final String labels) {
    final Double value = series(text, name).get(labels);
    assertThat(value).as(name + "{" + labels + "}").isNotNull();
    return value;
  }

  private static double sum(final String text, final String name) {
    final Map<String, Double> samples = series(text, name);
    assertThat(samples).as(name).hasSize(PARTITIONS);
    return samples.values().stream().mapToDouble(Double::doubleValue).sum();
  }

  /**
   * Moves the monitor's clock by {@link #IDLE_STEP} and waits until every partition reads idle for
   * at least that long. The lag reaching 0 does not prove the monitor has seen the last log-end
   * offsets: when it sees one only after the move, that partition's idle time starts at the moved
   * clock, so the clock is moved once more (a gauge stuck at 0 still never gets there).
   */
  private static void awaitIdleAfterMoving(final ManualClock clock, final HttpText metrics) {
    clock.advance(IDLE_STEP);
    await()
        .atMost(TIMEOUT)
        .until(
            () -> {
              if (min(metrics.get("/metrics").body(), IDLE) >= IDLE_STEP.toSeconds()) {
                return true;
              }
              clock.advance(IDLE_STEP);
              return false;
            });
  }

  private static double min(final String text, final String name) {
    final Map<String, Double> samples = series(text, name);
    assertThat(samples).as(name).hasSize(PARTITIONS);
    return samples.values().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
  }
}
