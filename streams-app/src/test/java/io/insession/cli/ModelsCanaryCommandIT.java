package io.insession.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insession.config.InSessionConfig;
import io.insession.deployment.DeploymentLog;
import io.insession.deployment.Deployments;
import io.insession.runtime.RecommenderService;
import io.insession.schemas.ModelDeployment;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.WeblogEvent;
import io.insession.testing.CommittedLists;
import io.insession.testing.KafkaTestCluster;
import io.insession.testing.SwapSettings;
import io.insession.testing.TestEvents;
import io.insession.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code insession models canary} against a running instance on a real broker: the tiny bundle
 * serves variant {@code gru} (the configured variants), the candidate is the tiny-int8 bundle as
 * variant {@code canary}, the metric is CTR. The test plays the shoppers: each session views an
 * item and, when its list is to be clicked, views the list's first item carrying its recommendation
 * id. A candidate whose lists are never clicked is rolled back at its first step (exit 6, the
 * configured variants deployed again, new sessions served by {@code gru} again); one whose lists
 * are clicked as often as the current variant's goes to 100 % (exit 0).
 */
class ModelsCanaryCommandIT {

  @RegisterExtension static final KafkaTestCluster KAFKA = new KafkaTestCluster();

  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final int MAX_SESSIONS = 1_000;

  @TempDir Path dir;

  @Test
  void shouldRollBackACandidateWhoseListsAreNeverClicked() throws Exception {
    final InSessionConfig config = config("canary-worse");
    try (RecommenderService service =
            RecommenderService.builder(config).stream().deployments().start();
        Shoppers shoppers = new Shoppers(config)) {
      assertThat(service.streams().awaitRunning(TIMEOUT)).isTrue();
      final CompletableFuture<CliRun> canary = canary(config, "20,100", 30);

      final int sessions = shoppers.shopUntil(canary, "gru");

      final CliRun run = canary.get();
      assertThat(run.code())
          .as(run.out() + run.err())
          .isEqualTo(ModelsCanaryCommand.EXIT_ROLLED_BACK);
      assertThat(run.out())
          .contains("Canary step 1/2: canary at 20 % of gru's weight")
          .contains("Canary ROLLED BACK at step 1/2")
          .contains("the candidate's ctr is worse")
          .doesNotContain("step 2/2");
      assertThat(shoppers.variantsSeen()).contains("gru", "canary");

      // the log: the configured variants as the base, the step, the rollback to the base with
      // the figures that led to it
      final List<ModelDeployment> log = new DeploymentLog(config).readAll(TIMEOUT);
      assertThat(log).hasSize(3);
      final ModelDeployment base = log.get(0);
      assertThat(Deployments.describe(base)).isEqualTo("gru=bundle:1 (salt 'canary-worse')");
      assertThat(log.get(1).getDetail()).startsWith("canary step 1/2: canary=");
      assertThat(Deployments.describe(log.get(1)))
          .startsWith("gru=bundle:4 canary=")
          .endsWith(":1 (salt 'canary-worse')");
      final ModelDeployment rollback = log.get(2);
      assertThat(Deployments.describe(rollback)).isEqualTo(Deployments.describe(base));
      assertThat(rollback.getDetail())
          .startsWith("rollback to " + base.getDeploymentId() + ": canary step 1/2 ROLL_BACK")
          .contains("ctr: canary 0.0000 [0.0000, ")
          .contains("lift -100.0 % [-100.0 %, ");

      // the instance serves the rollback: a new session gets gru
      await()
          .atMost(TIMEOUT)
          .until(
              () -> service.deployments().served().equals(Optional.of(rollback.getDeploymentId())));
      assertThat(shoppers.shop(sessions + 1, true).getVariant()).isEqualTo("gru");
    }
  }

  @Test
  void shouldGoToAHundredPercentWhenTheCandidateIsNotWorse() throws Exception {
    final InSessionConfig config = config("canary-equal");
    try (RecommenderService service =
            RecommenderService.builder(config).stream().deployments().start();
        Shoppers shoppers = new Shoppers(config)) {
      assertThat(service.streams().awaitRunning(TIMEOUT)).isTrue();
      final CompletableFuture<CliRun> canary = canary(config, "20,100", 4);

      shoppers.shopUntil(canary, "gru", "canary");

      final CliRun run = canary.get();
      assertThat(run.code()).as(run.out() + run.err()).isZero();
      assertThat(run.out())
          .contains("Canary step 1/2: canary at 20 % of gru's weight")
          .contains("Canary step 2/2: canary at 100 % of gru's weight")
          .contains("Canary COMPLETED")
          .doesNotContain("ROLLED BACK");

      final List<ModelDeployment> log = new DeploymentLog(config).readAll(TIMEOUT);
      assertThat(log).hasSize(3);
      final ModelDeployment last = log.get(2);
      assertThat(Deployments.describe(last))
          .startsWith("gru=bundle:0 canary=")
          .contains(":1 (salt");
      assertThat(last.getDetail())
          .startsWith("canary step 2/2: canary=")
          .containsPattern(
              "advanced on ctr: canary 0\\.\\d{4} \\[.*\\(\\d+ sessions, \\d+ this step\\)");
      assertThat(Deployments.current(log)).contains(last);
    }
  }

  /**
   * {@code insession models canary} on another thread, against the test's broker and topics; a step
   * holds after 2 minutes, so a canary never outlives a failed test for long.
   */
  private static CompletableFuture<CliRun> canary(
      final InSessionConfig config, final String steps, final int minSessions) {
    final List<String> args =
        new ArrayList<>(
            List.of(
                "models",
                "canary",
                "--candidate=" + TestModels.bundleDir("tiny-int8"),
                "--current=gru",
                "--steps=" + steps,
                "--step-min-sessions=" + minSessions,
                "--max-step-time=2m",
                "--on-timeout=hold",
                "--metric=ctr",
                "--bootstrap-servers=" + KAFKA.bootstrapServers()));
    for (final String key :
        List.of(
            InSessionConfig.DEPLOYMENTS_TOPIC,
            InSessionConfig.EXPERIMENTS_TOPIC,
            InSessionConfig.VARIANTS,
            InSessionConfig.VARIANTS_SALT,
            InSessionConfig.TOPIC_REPLICATION_FACTOR)) {
      args.add("--set=" + key + "=" + config.originalsStrings().get(key));
    }
    args.add("--set=" + InSessionConfig.CANARY_CHECK_INTERVAL_MS + "=50");
    return CompletableFuture.supplyAsync(() -> CliRun.execute(args));
  }

  private InSessionConfig config(final String salt) throws Exception {
    final Map<String, String> settings =
        SwapSettings.of(KAFKA, Files.createDirectories(dir.resolve("state")), salt);
    settings.put(InSessionConfig.EXPERIMENTS_TOPIC, KAFKA.uniqueName("experiment-kpis"));
    settings.put(InSessionConfig.VARIANTS, "gru:bundle:1");
    settings.put(InSessionConfig.VARIANTS_SALT, salt);
    settings.put(InSessionConfig.EXPERIMENTS_EMIT_INTERVAL_MS, "200");
    settings.put(InSessionConfig.TOPIC_REPLICATION_FACTOR, "1");
    return InSessionConfig.of(settings);
  }

  /** The simulated shoppers of a test: one session after the other, each waiting for its list. */
  private static final class Shoppers implements AutoCloseable {

    private final InSessionConfig config;
    private final KafkaProducer<String, WeblogEvent> producer;
    private final CommittedLists lists;
    private final List<String> variants = new ArrayList<>();

    Shoppers(final InSessionConfig config) {
      this.config = config;
      this.producer = CommittedLists.producer(config);
      this.lists = new CommittedLists(config);
    }

    /**
     * Sessions one after the other until the canary ends, clicking the lists of the {@code clicked}
     * variants only; returns how many sessions there were.
     */
    int shopUntil(final CompletableFuture<CliRun> canary, final String... clicked) {
      int session = 0;
      while (!canary.isDone()) {
        assertThat(session).as("sessions before the canary ended").isLessThan(MAX_SESSIONS);
        final RecommendationList list = shop(session, false);
        if (List.of(clicked).contains(list.getVariant())) {
          click(session, list);
        }
        session++;
      }
      return session;
    }

    /** Session {@code s-<n>} views an item; its list, clicked when {@code click}. */
    RecommendationList shop(final int n, final boolean click) {
      final String session = "s-" + n;
      CommittedLists.send(
          config,
          producer,
          TestEvents.view(session, "v-" + n, TestModels.tinyItemId(n % 7), Instant.now()));
      producer.flush();
      final RecommendationList list = listFor("v-" + n);
      variants.add(list.getVariant());
      if (click) {
        click(n, list);
      }
      return list;
    }

    private void click(final int n, final RecommendationList list) {
      final WeblogEvent click =
          WeblogEvent.newBuilder(
                  TestEvents.view(
                      "s-" + n, "c-" + n, list.getItems().get(0).getItemId(), Instant.now()))
              .setRecommendationId(list.getRecommendationId())
              .build();
      CommittedLists.send(config, producer, click);
      producer.flush();
      listFor("c-" + n);
    }

    private RecommendationList listFor(final String eventId) {
      return await()
          .atMost(TIMEOUT)
          .until(
              () ->
                  lists.poll().stream()
                      .filter(l -> eventId.equals(l.getTriggerEventId()))
                      .findFirst(),
              Optional::isPresent)
          .orElseThrow();
    }

    List<String> variantsSeen() {
      return variants;
    }

    @Override
    public void close() {
      producer.close();
      lists.close();
    }
  }
}
