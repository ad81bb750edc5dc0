package io.insession.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.insession.config.InSessionConfig;
import io.insession.kafka.EmbeddedKafkaBroker;
import io.insession.kafka.Topics;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.ModelInfo;
import io.insession.scoring.ScorerVariants;
import io.insession.testing.HttpJson;
import io.insession.testing.TestEvents;
import io.insession.testing.TestModels;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service as {@code run}, {@code lookup} and {@code demo} assemble it, on a real KRaft broker
 * in this JVM that the service starts itself: it starts, serves a list for an event, and closes
 * every part, once.
 */
class RecommenderServiceIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path stateDir;

  @Test
  void shouldStartServeAListForAnEventAndCloseCleanlyOnce() throws Exception {
    final EmbeddedKafkaBroker.Ports ports = EmbeddedKafkaBroker.findFreePorts();
    final RecommenderService service =
        RecommenderService.builder(config(TestModels.tinyBundleDir().toString()))
            .embeddedBroker(ports, 2)
            .stream()
            .metrics()
            .lookupApi()
            .start();
    final int apiPort = service.lookupApiPort();
    final int metricsPort = service.metricsPort();
    try {
      assertThat(service.config().bootstrapServers()).endsWith(":" + ports.broker());
      assertThat(service.streams().awaitRunning(TIMEOUT)).isTrue();
      assertThat(service.variants().all()).hasSize(1);
      assertThat(service.variants().primary().name()).isEqualTo(ScorerVariants.DEFAULT);

      produce(service.config(), TestEvents.view("s1", "e1", TestModels.tinyItemId(3), now()));

      final HttpJson api = new HttpJson(apiPort);
      await()
          .atMost(TIMEOUT)
          .untilAsserted(
              () -> {
                final HttpJson.Answer answer =
                    api.get("/v1/sessions/s1/recommendations?fallback=none");
                assertThat(answer.status()).isEqualTo(200);
                final JsonNode body = answer.body();
                assertThat(body.get("triggerEventId").asText()).isEqualTo("e1");
                assertThat(body.get("variant").asText()).isEqualTo(ScorerVariants.DEFAULT);
                assertThat(body.get("modelName").asText())
                    .isEqualTo(TestModels.tinyBundle().name());
                assertThat(body.get("items")).hasSize(5);
              });
      final HttpJson operations = new HttpJson(metricsPort);
      await().atMost(TIMEOUT).until(() -> operations.get("/ready").status() == 200);
      assertThat(operations.get("/health").status()).isEqualTo(200);
    } finally {
      service.close();
    }

    assertThat(service.streams().state()).isEqualTo(KafkaStreams.State.NOT_RUNNING);
    assertThat(isFree(ports.broker())).as("the broker is stopped").isTrue();
    assertThat(isFree(apiPort)).as("the lookup API is stopped").isTrue();
    assertThat(isFree(metricsPort)).as("the operations server is stopped").isTrue();
    service.close();
    assertThat(service.streams().state()).isEqualTo(KafkaStreams.State.NOT_RUNNING);
  }

  @Test
  void shouldListEveryVariantsModelInTheReadyBody() throws Exception {
    final EmbeddedKafkaBroker.Ports ports = EmbeddedKafkaBroker.findFreePorts();
    final Map<String, String> settings =
        new HashMap<>(config(TestModels.tinyBundleDir().toString()).settings());
    settings.put(InSessionConfig.VARIANTS, "control:popular:10,gru:bundle:90");
    final RecommenderService service =
        RecommenderService.builder(InSessionConfig.of(settings)).embeddedBroker(ports, 1).stream()
            .metrics()
            .start();
    try {
      final HttpJson operations = new HttpJson(service.metricsPort());
      await().atMost(TIMEOUT).until(() -> operations.get("/ready").status() == 200);
      final JsonNode variants = operations.get("/ready").body().get("variants");
      assertThat(variants).hasSize(2);
      final Map<String, ModelInfo> models = service.variants().models();
      assertThat(models.keySet()).containsExactly("control", "gru");
      int i = 0;
      for (final Map.Entry<String, ModelInfo> variant : models.entrySet()) {
        final JsonNode reported = variants.get(i++);
        assertThat(reported.get("variant").asText()).isEqualTo(variant.getKey());
        assertThat(reported.get("name").asText()).isEqualTo(variant.getValue().name());
        assertThat(reported.get("version").asText()).isEqualTo(variant.getValue().version());
      }
      assertThat(models.get("gru").name()).isEqualTo(TestModels.tinyBundle().name());
    } finally {
      service.close();
    }
  }

  @Test
  void shouldStopThePartsItStartedWhenALaterPartFailsToStart() {
    final EmbeddedKafkaBroker.Ports ports = EmbeddedKafkaBroker.findFreePorts();
    final String missing = stateDir.resolve("no-such-bundle").toString();

    assertThatThrownBy(
            () ->
                RecommenderService.builder(config(missing)).embeddedBroker(ports, 1).stream()
                    .start())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("not a directory holding a model bundle");
    assertThat(isFree(ports.broker())).as("the broker it started is stopped").isTrue();
  }

  @Test
  void shouldRefuseMetricsWithoutTheStream() {
    assertThatThrownBy(() -> RecommenderService.builder(config("")).metrics().lookupApi().start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("metrics need the stream");
  }

  private InSessionConfig config(final String bundle) {
    final Map<String, String> settings = new HashMap<>();
    settings.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    settings.put(InSessionConfig.APPLICATION_ID, "service-it");
    settings.put(InSessionConfig.MODEL_BUNDLE, bundle);
    settings.put(InSessionConfig.RECOMMENDATIONS_COUNT, "5");
    settings.put(InSessionConfig.API_PORT, "0");
    settings.put(InSessionConfig.API_METRICS_PORT, "0");
    // authentication has its own tests (ApiSecurityIT)
    settings.put(InSessionConfig.API_AUTH, InSessionConfig.AUTH_NONE);
    settings.put(InSessionConfig.METRICS_PORT, "0");
    return InSessionConfig.of(settings);
  }

  private static void produce(final InSessionConfig config, final WeblogEvent event) {
    final Topics topics = Topics.from(config);
    try (KafkaProducer<String, WeblogEvent> producer =
        new KafkaProducer<>(
            config.clientProperties(),
            topics.weblog().keySerde().serializer(),
            topics.weblog().valueSerde().serializer())) {
      producer.send(
          new ProducerRecord<>(
              topics.weblog().name(),
              null,
              event.getEventTime().toEpochMilli(),
              event.getSessionId(),
              event));
      producer.flush();
    }
  }

  private static Instant now() {
    return Instant.now();
  }

  private static boolean isFree(final int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
