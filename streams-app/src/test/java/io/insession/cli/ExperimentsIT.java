package io.insession.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.insession.config.InSessionConfig;
import io.insession.runtime.RecommenderService;
import io.insession.schemas.EventType;
import io.insession.schemas.WeblogEvent;
import io.insession.testing.CommittedLists;
import io.insession.testing.HttpJson;
import io.insession.testing.HttpText;
import io.insession.testing.KafkaTestCluster;
import io.insession.testing.SwapSettings;
import io.insession.testing.TestEvents;
import io.insession.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An experiment on a real broker: two variants (the tiny bundle's GRU and the {@code popular}
 * control) over three weblog partitions, sessions that view, some of which then buy an item of the
 * list they were shown. The live KPIs on {@code GET /v1/experiments/{id}} count every session
 * exactly once with its variant (the tasks' partial sums merged by variant), the gauges carry them,
 * and {@code insession experiments show} prints them.
 */
class ExperimentsIT {

  @RegisterExtension static final KafkaTestCluster KAFKA = new KafkaTestCluster();

  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final String SALT = "experiments-it";
  private static final int SESSIONS = 40;

  @TempDir Path dir;

  @Test
  void shouldServeAndPrintEachVariantsLiveKpisCountedExactlyAcrossPartitions() throws Exception {
    final InSessionConfig config = config();
    try (RecommenderService service =
            RecommenderService.builder(config).stream().lookupApi().start();
        KafkaProducer<String, WeblogEvent> producer = CommittedLists.producer(config)) {
      assertThat(service.streams().awaitRunning(TIMEOUT)).isTrue();
      final Instant start = Instant.now();
      for (int i = 0; i < SESSIONS; i++) {
        CommittedLists.send(
            config,
            producer,
            TestEvents.view("s-" + i, "v-" + i, TestModels.tinyItemId(i % 7), start));
      }
      producer.flush();
      // the lists as the lookup API serves them (the sessions are spread over the partitions)
      final HttpJson api = new HttpJson(service.lookupApiPort());
      final Map<String, JsonNode> first = new HashMap<>();
      await()
          .atMost(TIMEOUT)
          .until(
              () -> {
                for (int i = 0; i < SESSIONS; i++) {
                  final HttpJson.Answer list =
                      api.get("/v1/sessions/s-" + i + "/recommendations?fallback=none");
                  if (list.status() == 200) {
                    first.put("s-" + i, list.body());
                  }
                }
                return first.size() == SESSIONS;
              });

      // every third session buys the second item of the list it was shown: 12.5 x 2
      final Map<String, long[]> expected = new TreeMap<>(); // sessions, impressions, buyers
      for (int i = 0; i < SESSIONS; i++) {
        final JsonNode list = first.get("s-" + i);
        final long[] counts =
            expected.computeIfAbsent(list.get("variant").asText(), v -> new long[3]);
        counts[0]++;
        counts[1]++;
        if (i % 3 == 0) {
          final WeblogEvent purchase =
              WeblogEvent.newBuilder(
                      TestEvents.event(
                          "s-" + i,
                          "p-" + i,
                          EventType.PURCHASE,
                          list.get("items").get(1).get("itemId").asText(),
                          start.plusSeconds(1)))
                  .setPrice(12.5)
                  .setQuantity(2)
                  .setCurrency("EUR")
                  .setOrderId("o-" + i)
                  .build();
          CommittedLists.send(config, producer, purchase);
          counts[1]++;
          counts[2]++;
        }
      }
      producer.flush();
      assertThat(expected).containsOnlyKeys("control", "gru");

      await()
          .atMost(TIMEOUT)
          .untilAsserted(
              () -> {
                final HttpJson.Answer answer = api.get("/v1/experiments/" + SALT);
                assertThat(answer.status()).isEqualTo(200);
                final JsonNode variants = answer.body().get("sinceStart").get("variants");
                assertThat(variants).hasSize(2);
                for (final JsonNode variant : variants) {
                  final long[] counts = expected.get(variant.get("variant").asText());
                  assertThat(variant.get("sessions").asLong()).isEqualTo(counts[0]);
                  assertThat(variant.get("impressions").asLong()).isEqualTo(counts[1]);
                  assertThat(variant.get("purchaseSessions").asLong()).isEqualTo(counts[2]);
                  assertThat(variant.get("attributedPurchases").asLong()).isEqualTo(counts[2]);
                  assertThat(variant.get("orders").asLong()).isEqualTo(counts[2]);
                  assertThat(variant.get("revenue").asDouble()).isEqualTo(25.0 * counts[2]);
                }
              });
      final JsonNode body = api.get("/v1/experiments/" + SALT).body();
      assertThat(body.get("control").asText()).isEqualTo("control");
      final JsonNode gru = body.get("sinceStart").get("variants").get(1);
      assertThat(gru.get("kpis").get("conversion_rate").get("low").asDouble())
          .isLessThanOrEqualTo(gru.get("kpis").get("conversion_rate").get("estimate").asDouble());
      assertThat(gru.get("kpis").get("conversion_rate").get("lift")).isNotNull();
      assertThat(body.get("windows")).isNotEmpty();

      final String metrics = new HttpText(service.lookupApiMetricsPort()).get("/metrics").body();
      assertThat(metrics)
          .contains(
              "insession_experiment_sessions{experiment=\""
                  + SALT
                  + "\",variant=\"control\"} "
                  + (double) expected.get("control")[0]);

      final CliRun show = show(config, SALT);
      assertThat(show.code()).as(show.err()).isZero();
      assertThat(show.out())
          .contains("Experiment " + SALT + ", since it started")
          .contains("lifts against control")
          .containsPattern("control +" + expected.get("control")[0] + " ")
          .containsPattern("conversion rate +gru ");

      final CliRun unknown = show(config, "nothing");
      assertThat(unknown.code()).isEqualTo(ExperimentsCommand.EXIT_UNKNOWN);
      assertThat(unknown.err()).contains("No KPIs for experiment nothing");
    }
  }

  /** {@code insession experiments show --id ID} against the test's broker and KPIs topic. */
  private static CliRun show(final InSessionConfig config, final String id) {
    return CliRun.execute(
        List.of(
            "experiments",
            "show",
            "--id",
            id,
            "--bootstrap-servers",
            KAFKA.bootstrapServers(),
            "-s",
            InSessionConfig.EXPERIMENTS_TOPIC
                + "="
                + config.getString(InSessionConfig.EXPERIMENTS_TOPIC)));
  }

  private InSessionConfig config() throws Exception {
    final Map<String, String> settings =
        SwapSettings.of(KAFKA, Files.createDirectories(dir.resolve("state")), "experiments");
    settings.put(InSessionConfig.TOPIC_PARTITIONS, "3");
    settings.put(InSessionConfig.EXPERIMENTS_TOPIC, KAFKA.uniqueName("experiment-kpis"));
    settings.put(InSessionConfig.VARIANTS, "control:popular:1,gru:bundle:1");
    settings.put(InSessionConfig.VARIANTS_SALT, SALT);
    settings.put(InSessionConfig.EXPERIMENTS_EMIT_INTERVAL_MS, "200");
    settings.put(InSessionConfig.API_PORT, "0");
    settings.put(InSessionConfig.API_METRICS_PORT, "0");
    return InSessionConfig.of(settings);
  }
}
