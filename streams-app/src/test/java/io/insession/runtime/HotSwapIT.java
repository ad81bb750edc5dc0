package io.insession.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.insession.config.InSessionConfig;
import io.insession.deployment.DeploymentLog;
import io.insession.deployment.Deployments;
import io.insession.registry.FileSystemModelRegistry;
import io.insession.registry.ModelVersion;
import io.insession.registry.PublishOptions;
import io.insession.schemas.DeployedVariant;
import io.insession.schemas.DeploymentStatus;
import io.insession.schemas.ModelDeployment;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.ScorerVariants;
import io.insession.testing.CommittedLists;
import io.insession.testing.HttpJson;
import io.insession.testing.HttpText;
import io.insession.testing.KafkaTestCluster;
import io.insession.testing.TestEvents;
import io.insession.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deployments as data and the hot swap, on a real broker with real bundles published into a
 * registry: a deployment swaps the served model under a steady stream of events without a restart
 * or a lost or doubled list; a tampered deployment is refused, recorded, and the old model keeps
 * serving.
 */
class HotSwapIT {

  private static final Logger LOG = LoggerFactory.getLogger(HotSwapIT.class);

  @RegisterExtension static final KafkaTestCluster KAFKA = new KafkaTestCluster();

  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final int SESSIONS = 5;

  @TempDir Path dir;

  @Test
  void shouldSwapToTheDeployedModelUnderASteadyStreamWithExactlyOneListPerEvent() throws Exception {
    final FileSystemModelRegistry registry = new FileSystemModelRegistry(dir.resolve("registry"));
    final ModelVersion tiny = publish(registry, "tiny");
    final ModelVersion int8 = publish(registry, "tiny-int8");
    assertThat(int8.version()).isNotEqualTo(tiny.version());
    final InSessionConfig config = config();

    try (RecommenderService service =
            RecommenderService.builder(config).stream().metrics().deployments().start();
        CommittedLists lists = new CommittedLists(config);
        KafkaProducer<String, WeblogEvent> producer = CommittedLists.producer(config)) {
      assertThat(service.streams().awaitRunning(TIMEOUT)).isTrue();
      final HttpText metrics = new HttpText(service.metricsPort());
      assertThat(modelInfo(metrics)).containsExactly(modelInfoSeries(ScorerVariants.DEFAULT, tiny));
      final AtomicInteger sent = new AtomicInteger();
      Instant deployedAt = Instant.EPOCH;
      final ScheduledExecutorService steady = Executors.newSingleThreadScheduledExecutor();
      steady.scheduleAtFixedRate(
          () -> send(config, producer, sent.getAndIncrement()), 0, 20, TimeUnit.MILLISECONDS);
      try {
        await().atMost(TIMEOUT).until(() -> lists.poll().size() >= 20);
        final ModelDeployment deployment = deploy(new DeploymentLog(config), int8);
        deployedAt = deployment.getAt();

        await()
            .atMost(TIMEOUT)
            .until(
                () ->
                    lists.poll().stream()
                            .filter(list -> list.getModelVersion().equals(int8.version()))
                            .count()
                        >= 20);
        assertThat(service.deployments().served()).contains(deployment.getDeploymentId());
        assertThat(service.variants().primary().name()).isEqualTo("gru");
        assertThat(service.variants().primary().scorer().model().version())
            .isEqualTo(int8.version());
        // the operations server names the new set: one info series per variant, the old removed
        assertThat(modelInfo(metrics)).containsExactly(modelInfoSeries("gru", int8));
        final JsonNode ready = new HttpJson(service.metricsPort()).get("/ready").body();
        assertThat(ready.get("model").get("version").asText()).isEqualTo(int8.version());
        assertThat(ready.get("variants")).hasSize(1);
        assertThat(ready.get("variants").get(0).get("variant").asText()).isEqualTo("gru");
        assertThat(ready.get("variants").get(0).get("name").asText()).isEqualTo(int8.name());
        assertThat(ready.get("variants").get(0).get("version").asText()).isEqualTo(int8.version());
      } finally {
        steady.shutdown();
        assertThat(steady.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
      }
      producer.flush();
      final int events = sent.get();
      await().atMost(TIMEOUT).until(() -> lists.poll().size() >= events);

      final List<RecommendationList> all = lists.poll();
      final Set<String> triggers = new HashSet<>();
      all.forEach(list -> triggers.add(list.getTriggerEventId()));
      assertThat(all).as("exactly one list per event").hasSize(events);
      assertThat(triggers).hasSize(events);
      // one partition, in order: the old model's lists, then only the new model's
      final int firstNew = indexOfFirst(all, int8.version());
      assertThat(firstNew).isPositive();
      // figures for the notes, not assertions (docs/roll-outs.md)
      long longestGap = 0;
      for (int i = 1; i < all.size(); i++) {
        longestGap =
            Math.max(
                longestGap,
                Duration.between(all.get(i - 1).getEmittedAt(), all.get(i).getEmittedAt())
                    .toMillis());
      }
      LOG.info(
          "Hot swap figures: deploy to first list of the new version {} ms; longest gap between"
              + " lists {} ms (events every 20 ms, {} lists)",
          Duration.between(deployedAt, all.get(firstNew).getEmittedAt()).toMillis(),
          longestGap,
          all.size());
      assertThat(all.subList(0, firstNew))
          .allSatisfy(list -> assertThat(list.getModelVersion()).isEqualTo(tiny.version()));
      assertThat(all.subList(firstNew, all.size()))
          .allSatisfy(
              list -> {
                assertThat(list.getModelVersion()).isEqualTo(int8.version());
                assertThat(list.getVariant()).isEqualTo("gru");
              });
    }
  }

  @Test
  void shouldRefuseATamperedDeploymentRecordTheRefusalAndKeepServingTheOldModel() throws Exception {
    final FileSystemModelRegistry registry = new FileSystemModelRegistry(dir.resolve("registry"));
    final ModelVersion tiny = publish(registry, "tiny");
    final ModelVersion int8 = publish(registry, "tiny-int8");
    final Path model = int8.location().resolve("model.onnx");
    model.toFile().setWritable(true);
    final byte[] bytes = Files.readAllBytes(model);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(model, bytes);
    final InSessionConfig config = config();

    try (RecommenderService service =
            RecommenderService.builder(config).stream().deployments().start();
        CommittedLists lists = new CommittedLists(config);
        KafkaProducer<String, WeblogEvent> producer = CommittedLists.producer(config)) {
      assertThat(service.streams().awaitRunning(TIMEOUT)).isTrue();
      final DeploymentLog log = new DeploymentLog(config);
      final ModelDeployment deployment = deploy(log, int8);

      await()
          .atMost(TIMEOUT)
          .untilAsserted(
              () ->
                  assertThat(log.readAll(TIMEOUT))
                      .anySatisfy(
                          record -> {
                            assertThat(record.getStatus()).isEqualTo(DeploymentStatus.REFUSED);
                            assertThat(record.getDeploymentId())
                                .isEqualTo(deployment.getDeploymentId());
                            assertThat(record.getDetail())
                                .contains(int8.ref().toString())
                                .contains("altered after publishing");
                          }));
      assertThat(Deployments.current(log.readAll(TIMEOUT))).isEmpty();
      assertThat(service.deployments().served()).isEmpty();

      send(config, producer, 0);
      producer.flush();
      await().atMost(TIMEOUT).until(() -> lists.poll().size() == 1);
      assertThat(lists.poll().get(0).getModelVersion()).isEqualTo(tiny.version());
      assertThat(service.variants().primary().scorer().model().version()).isEqualTo(tiny.version());
    }
  }

  /** The {@code insession_model_info} series of a scrape (names and tags, without the value). */
  private static List<String> modelInfo(final HttpText metrics) {
    final HttpText.Answer answer = metrics.get("/metrics");
    assertThat(answer.status()).isEqualTo(200);
    return answer
        .body()
        .lines()
        .filter(line -> line.startsWith("insession_model_info{"))
        .map(line -> line.substring(0, line.lastIndexOf(' ')))
        .toList();
  }

  private static String modelInfoSeries(final String variant, final ModelVersion model) {
    return String.format(
        "insession_model_info{model=\"%s\",variant=\"%s\",version=\"%s\"}",
        model.name(), variant, model.version());
  }

  /** Deploys {@code model} as the one variant "gru". */
  private static ModelDeployment deploy(final DeploymentLog log, final ModelVersion model) {
    final ModelDeployment deployment =
        Deployments.deploy(
            List.of(new DeployedVariant("gru", model.ref().toString(), 1)),
            "salt",
            "hot-swap-it",
            Instant.now(),
            null);
    log.append(deployment, TIMEOUT);
    return deployment;
  }

  private static int indexOfFirst(final List<RecommendationList> lists, final String version) {
    for (int i = 0; i < lists.size(); i++) {
      if (lists.get(i).getModelVersion().equals(version)) {
        return i;
      }
    }
    return -1;
  }

  private static ModelVersion publish(final FileSystemModelRegistry registry, final String bundle) {
    return registry.publish(TestModels.bundleDir(bundle), PublishOptions.defaults()).model();
  }

  private InSessionConfig config() throws IOException {
    final Map<String, String> settings = new HashMap<>();
    settings.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
    settings.put(
        StreamsConfig.STATE_DIR_CONFIG, Files.createDirectories(dir.resolve("state")).toString());
    settings.put(InSessionConfig.APPLICATION_ID, KAFKA.uniqueName("hot-swap"));
    settings.put(InSessionConfig.WEBLOG_TOPIC, KAFKA.uniqueName("weblog"));
    settings.put(InSessionConfig.DEAD_LETTER_TOPIC, KAFKA.uniqueName("dlq"));
    settings.put(InSessionConfig.RECOMMENDATIONS_TOPIC, KAFKA.uniqueName("recommendations"));
    settings.put(InSessionConfig.DEPLOYMENTS_TOPIC, KAFKA.uniqueName("deployments"));
    settings.put(InSessionConfig.TOPIC_PARTITIONS, "1");
    settings.put(InSessionConfig.MODEL_BUNDLE, TestModels.tinyBundleDir().toString());
    settings.put(InSessionConfig.REGISTRY_DIR, dir.resolve("registry").toString());
    settings.put(InSessionConfig.RECOMMENDATIONS_COUNT, "5");
    // authentication has its own tests (ApiSecurityIT)
    settings.put(InSessionConfig.API_AUTH, InSessionConfig.AUTH_NONE);
    // any free port: 8081 may be taken on a shared machine
    settings.put(InSessionConfig.METRICS_PORT, "0");
    return InSessionConfig.of(settings);
  }

  private static void send(
      final InSessionConfig config,
      final KafkaProducer<String, WeblogEvent> producer,
      final int n) {
    final WeblogEvent event =
        TestEvents.view(
            "s-" + (n % SESSIONS), "e-" + n, TestModels.tinyItemId(1 + n % 10), Instant.now());
    CommittedLists.send(config, producer, event);
  }
}
