package io.insession.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.insession.config.InSessionConfig;
import io.insession.deployment.DeploymentLog;
import io.insession.deployment.Deployments;
import io.insession.schemas.DeployedVariant;
import io.insession.schemas.ModelDeployment;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.WeblogEvent;
import io.insession.testing.CommittedLists;
import io.insession.testing.KafkaTestCluster;
import io.insession.testing.SwapSettings;
import io.insession.testing.TestEvents;
import io.insession.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Weighted, sticky A/B variants end to end (issue 10 point 5), on a real broker with the tiny
 * bundle against the {@code popular} baseline: 90/10 over 10,000 sessions within a binomial bound,
 * sticky across events and across an instance restart, and a weight change by deployment moves only
 * new sessions.
 */
class WeightedVariantsIT {

  @RegisterExtension static final KafkaTestCluster KAFKA = new KafkaTestCluster();

  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  private static final int SESSIONS = 10_000;
  private static final int STICKY = 300;
  private static final int NEW_SESSIONS = 2_000;
  private static final String SALT = "ab-it";

  @TempDir Path dir;

  @Test
  void shouldSplitByWeightKeepEachSessionsVariantAcrossARestartAndMoveOnlyNewSessions()
      throws Exception {
    final InSessionConfig config = config();
    try (CommittedLists lists = new CommittedLists(config);
        KafkaProducer<String, WeblogEvent> producer = CommittedLists.producer(config)) {
      final Map<String, String> first;
      try (RecommenderService service =
          RecommenderService.builder(config).stream().deployments().start()) {
        assertThat(service.streams().awaitRunning(TIMEOUT)).isTrue();
        // 1. one event per session: the split
        send(config, producer, "s-", 0, SESSIONS, 0);
        first = variantsOf(awaitLists(lists, SESSIONS), 0);
        assertThat(first).hasSize(SESSIONS);
        assertWithinFiveSigma(first.values(), "gru", SESSIONS, 0.9);
        assertThat(first.values()).containsOnly("gru", "control");

        // 2. a second event for some sessions: same variant
        send(config, producer, "s-", 0, STICKY, 1);
        final Map<String, String> second = variantsOf(awaitLists(lists, SESSIONS + STICKY), 1);
        assertThat(second).hasSize(STICKY);
        second.forEach((session, variant) -> assertThat(variant).isEqualTo(first.get(session)));
      }

      // 3. restarted on the same state; then a deployment moves the weights to 50/50
      try (RecommenderService service =
          RecommenderService.builder(config).stream().deployments().start()) {
        assertThat(service.streams().awaitRunning(TIMEOUT)).isTrue();
        send(config, producer, "s-", 0, STICKY, 2);
        final Map<String, String> third = variantsOf(awaitLists(lists, SESSIONS + 2 * STICKY), 2);
        assertThat(third).hasSize(STICKY);
        third.forEach((session, variant) -> assertThat(variant).isEqualTo(first.get(session)));

        final ModelDeployment deployment =
            Deployments.deploy(
                List.of(
                    new DeployedVariant("control", "popular", 50),
                    new DeployedVariant("gru", "bundle", 50)),
                SALT,
                "weighted-variants-it",
                Instant.now(),
                null);
        new DeploymentLog(config).append(deployment, TIMEOUT);
        await()
            .atMost(TIMEOUT)
            .until(
                () ->
                    service.deployments().served().orElse("").equals(deployment.getDeploymentId()));

        send(config, producer, "s-", 0, STICKY, 3);
        send(config, producer, "n-", 0, NEW_SESSIONS, 3);
        final List<RecommendationList> all =
            awaitLists(lists, SESSIONS + 3 * STICKY + NEW_SESSIONS);
        final Map<String, String> fourth = variantsOf(all, 3);
        assertThat(fourth).hasSize(STICKY + NEW_SESSIONS);
        // with the same salt, the 50/50 weights would give about 40% of the old gru sessions to
        // control: each keeps the variant its state names
        fourth.entrySet().stream()
            .filter(entry -> entry.getKey().startsWith("s-"))
            .forEach(entry -> assertThat(entry.getValue()).isEqualTo(first.get(entry.getKey())));
        final List<String> fresh =
            fourth.entrySet().stream()
                .filter(entry -> entry.getKey().startsWith("n-"))
                .map(Map.Entry::getValue)
                .toList();
        assertThat(fresh).hasSize(NEW_SESSIONS);
        assertWithinFiveSigma(fresh, "gru", NEW_SESSIONS, 0.5);
        // one list per event, and the baseline serves its own model
        assertThat(all.stream().map(RecommendationList::getTriggerEventId).distinct().count())
            .isEqualTo(all.size());
        assertThat(all)
            .filteredOn(list -> list.getVariant().equals("control"))
            .isNotEmpty()
            .allSatisfy(list -> assertThat(list.getItems()).isNotEmpty());
      }
    }
  }

  private static void assertWithinFiveSigma(
      final Collection<String> variants, final String variant, final int n, final double p) {
    final long count = variants.stream().filter(variant::equals).count();
    final double sigma = Math.sqrt(n * p * (1 - p));
    assertThat((double) count).as("sessions on %s", variant).isCloseTo(n * p, within(5 * sigma));
  }

  private static List<RecommendationList> awaitLists(final CommittedLists lists, final int count) {
    await().atMost(TIMEOUT).until(() -> lists.poll().size() >= count);
    final List<RecommendationList> all = lists.poll();
    assertThat(all).hasSize(count);
    return all;
  }

  /** Session to variant, from the lists of round {@code round}'s events (ids {@code r<round>-}). */
  private static Map<String, String> variantsOf(
      final List<RecommendationList> lists, final int round) {
    return lists.stream()
        .filter(list -> list.getTriggerEventId().startsWith("r" + round + "-"))
        .collect(
            Collectors.toMap(RecommendationList::getSessionId, RecommendationList::getVariant));
  }

  private static void send(
      final InSessionConfig config,
      final KafkaProducer<String, WeblogEvent> producer,
      final String prefix,
      final int from,
      final int count,
      final int round) {
    for (int n = from; n < from + count; n++) {
      final String session = prefix + n;
      CommittedLists.send(
          config,
          producer,
          TestEvents.view(
              session,
              "r" + round + "-" + session,
              TestModels.tinyItemId(1 + (n + round) % 10),
              Instant.now()));
    }
    producer.flush();
  }

  private InSessionConfig config() throws IOException {
    final Map<String, String> settings =
        SwapSettings.of(KAFKA, Files.createDirectories(dir.resolve("state")), "ab");
    settings.put(InSessionConfig.VARIANTS, "control:popular:10,gru:bundle:90");
    settings.put(InSessionConfig.VARIANTS_SALT, SALT);
    return InSessionConfig.of(settings);
  }
}
