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
import io.insession.testing.SwapSettings;
import io.insession.testing.TestEvents;
import io.insession.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
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

      // warm sessions: a session started before the switch gets, on its next event, the list the
      // new model gives for its items, i.e. that of a twin session fed the same items afterwards
      final Map<String, List<String>> twins = new HashMap<>();
      final Map<String, RecommendationList> firstOfNew = new HashMap<>();
      for (final RecommendationList list : all.subList(firstNew, all.size())) {
        firstOfNew.putIfAbsent(list.getSessionId(), list);
      }
      for (final RecommendationList list : all.subList(0, firstNew)) {
        final RecommendationList next = firstOfNew.get(list.getSessionId());
        if (next != null) {
          twins.put(list.getSessionId(), itemsUpTo(eventNumber(next)));
        }
      }
      assertThat(twins).as("sessions with lists of both models").isNotEmpty();
      final Map<String, String> lastTwinEvents = new HashMap<>();
      twins.forEach(
          (session, items) -> {
            assertThat(items.size())
                .isLessThanOrEqualTo(config.getInt(InSessionConfig.SESSION_RECENT_ITEMS));
            for (int i = 0; i < items.size(); i++) {
              CommittedLists.send(
                  config,
                  producer,
                  TestEvents.view(
                      "twin-" + session, "twin-" + session + "-" + i, items.get(i), Instant.now()));
            }
            lastTwinEvents.put(session, "twin-" + session + "-" + (items.size() - 1));
          });
      producer.flush();
      final int twinEvents = twins.values().stream().mapToInt(List::size).sum();
      await().atMost(TIMEOUT).until(() -> lists.poll().size() >= events + twinEvents);
      final Map<String, RecommendationList> byTrigger = new HashMap<>();
      lists.poll().forEach(list -> byTrigger.put(list.getTriggerEventId(), list));
      lastTwinEvents.forEach(
          (session, lastEvent) -> {
            final RecommendationList twin = byTrigger.get(lastEvent);
            assertThat(twin.getModelVersion()).isEqualTo(int8.version());
            assertThat(itemIds(firstOfNew.get(session)))
                .as("first list of %s on the new model", session)
                .isNotEmpty()
                .isEqualTo(itemIds(twin));
          });
    }
  }

  private static List<String> itemIds(final RecommendationList list) {
    return list.getItems().stream().map(item -> item.getItemId()).toList();
  }

  /** The number n of a steady event {@code e-n}. */
  private static int eventNumber(final RecommendationList list) {
    return Integer.parseInt(list.getTriggerEventId().substring("e-".length()));
  }

  /** The items of the steady session of event {@code n}, from its first event to event n. */
  private static List<String> itemsUpTo(final int n) {
    final List<String> items = new ArrayList<>();
    for (int m = n % SESSIONS; m <= n; m += SESSIONS) {
      items.add(item(m));
    }
    return items;
  }

  private static String item(final int n) {
    return TestModels.tinyItemId(1 + n % 10);
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

  @Test
  void shouldFollowAnotherInstancesRefusalBackToTheDeploymentBeforeAndThenToTheConfiguredModel()
      throws Exception {
    final FileSystemModelRegistry registry = new FileSystemModelRegistry(dir.resolve("registry"));
    final ModelVersion tiny = publish(registry, "tiny");
    final ModelVersion int8 = publish(registry, "tiny-int8");
    final InSessionConfig config = config();

    try (RecommenderService service =
            RecommenderService.builder(config).stream().deployments().start();
        CommittedLists lists = new CommittedLists(config);
        KafkaProducer<String, WeblogEvent> producer = CommittedLists.producer(config)) {
      assertThat(service.streams().awaitRunning(TIMEOUT)).isTrue();
      final DeploymentLog log = new DeploymentLog(config);
      final ModelDeployment first = deploy(log, int8);
      awaitServing(service, Optional.of(first.getDeploymentId()), int8);
      final ModelDeployment second = deploy(log, tiny);
      awaitServing(service, Optional.of(second.getDeploymentId()), tiny);

      // another instance could not serve the second: every instance goes back to the first
      log.append(
          Deployments.refusal(second, "other@elsewhere/1", Instant.now(), "out of memory"),
          TIMEOUT);
      awaitServing(service, Optional.of(first.getDeploymentId()), int8);
      send(config, producer, 0);
      producer.flush();
      await().atMost(TIMEOUT).until(() -> lists.poll().size() == 1);
      assertThat(lists.poll().get(0).getModelVersion()).isEqualTo(int8.version());

      // and when the first is refused too, to the configured variants
      log.append(
          Deployments.refusal(first, "other@elsewhere/1", Instant.now(), "out of memory"), TIMEOUT);
      awaitServing(service, Optional.empty(), tiny);
      assertThat(service.variants().primary().name()).isEqualTo(ScorerVariants.DEFAULT);
      send(config, producer, 1);
      producer.flush();
      await().atMost(TIMEOUT).until(() -> lists.poll().size() == 2);
      assertThat(lists.poll().get(1).getModelVersion()).isEqualTo(tiny.version());
      assertThat(lists.poll().get(1).getVariant()).isEqualTo(ScorerVariants.DEFAULT);
    }
  }

  private static void awaitServing(
      final RecommenderService service,
      final Optional<String> deployment,
      final ModelVersion model) {
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              assertThat(service.deployments().served()).isEqualTo(deployment);
              assertThat(service.variants().primary().scorer().model().version())
                  .isEqualTo(model.version());
            });
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
    final Map<String, String> settings =
        SwapSettings.of(KAFKA, Files.createDirectories(dir.resolve("state")), "hot-swap");
    settings.put(InSessionConfig.REGISTRY_DIR, dir.resolve("registry").toString());
    // every item of a session remembered: its twin below is fed all of them, and however late the
    // swap comes on a busy machine, the re-encoded state then holds the same items
    settings.put(InSessionConfig.SESSION_RECENT_ITEMS, "10000");
    return InSessionConfig.of(settings);
  }

  private static void send(
      final InSessionConfig config,
      final KafkaProducer<String, WeblogEvent> producer,
      final int n) {
    final WeblogEvent event =
        TestEvents.view("s-" + (n % SESSIONS), "e-" + n, item(n), Instant.now());
    CommittedLists.send(config, producer, event);
  }
}
