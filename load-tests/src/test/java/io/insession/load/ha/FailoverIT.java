package io.insession.load.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.insession.config.InSessionConfig;
import io.insession.kafka.TopicSetup;
import io.insession.kafka.Topics;
import io.insession.load.stack.EmbeddedStack;
import io.insession.runtime.InSessionTopics;
import io.insession.runtime.RecommenderStreams;
import io.insession.runtime.Scoring;
import io.insession.runtime.StreamsRunner;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.ScoredItem;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.SessionScorer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * High availability with real processes, modelled on Kafka's {@code streams_eos_test}: several
 * {@code insession run} JVMs in one group (one standby replica per task, the default) under a
 * steady load; one is killed ({@code kill -9}), or all are restarted in turn. Then, for {@code
 * read_committed} readers: every event has exactly one list (none lost, none duplicated), every
 * session kept getting lists after the disruption, and every list equals the list an uninterrupted
 * single instance computes from the same input (so no session state was rolled back or applied
 * twice: a list depends on the whole state its session had). Timing is not asserted here; {@code
 * load-tests/run failover} measures the gaps.
 */
class FailoverIT {

  private static final Path APP_JAR = Path.of("../streams-app/target/insession.jar");
  private static final Path TINY = Path.of("../streams-app/src/test/resources/bundles/tiny");
  private static final int PARTITIONS = 6;
  private static final int SESSIONS = 24;
  private static final Duration START = Duration.ofMinutes(4);
  private static final Duration TIMEOUT = Duration.ofMinutes(3);

  // kept when a test fails: the instances' logs are there
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path work;

  private static EmbeddedStack stack;

  @BeforeAll
  static void startBroker() throws Exception {
    stack = EmbeddedStack.startBroker(work);
  }

  @AfterAll
  static void stopBroker() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void shouldNeitherLoseNorDuplicateNorRollBackListsWhenAnInstanceIsKilledUnderLoad()
      throws Exception {
    try (FailoverScenario scenario =
        FailoverScenario.start(stack, settings(3), "ha-kill-" + System.nanoTime())) {
      await().atMost(START).until(scenario::allReady);
      scenario.startLoad();
      await().atMost(TIMEOUT).until(() -> scenario.received().size() >= 2 * SESSIONS);

      final int sentBeforeKill = scenario.sent().size();
      final long killedAt = scenario.kill(0);
      // the survivors take over every partition (each carries sessions): each gets lists again
      await()
          .atMost(TIMEOUT)
          .until(
              () ->
                  survivorsAlive(scenario)
                      && scenario.firstListAfter(killedAt).size() == PARTITIONS);
      // and the load goes on a while beyond that
      final int sentAtTakeover = scenario.sent().size();
      await()
          .atMost(TIMEOUT)
          .until(
              () ->
                  survivorsAlive(scenario)
                      && scenario.sent().size() >= sentAtTakeover + 2 * SESSIONS);
      scenario.stopLoad();
      scenario.requireAlive(1);
      scenario.requireAlive(2);

      assertExactlyOnceAndEveryoneServed(scenario, sentBeforeKill);
      assertListsEqualAnUninterruptedRun(scenario);
    }
  }

  @Test
  void shouldNeitherLoseNorDuplicateNorRollBackListsThroughARollingRestart() throws Exception {
    try (FailoverScenario scenario =
        FailoverScenario.start(stack, settings(2), "ha-roll-" + System.nanoTime())) {
      await().atMost(START).until(scenario::allReady);
      scenario.startLoad();
      await().atMost(TIMEOUT).until(() -> scenario.received().size() >= 2 * SESSIONS);
      final int sentBeforeRestarts = scenario.sent().size();

      for (int i = 0; i < scenario.instances(); i++) {
        scenario.stop(i);
        scenario.restart(i);
        await().atMost(START).until(scenario::allReady);
      }
      final int sentAfterRestarts = scenario.sent().size();
      await()
          .atMost(TIMEOUT)
          .until(() -> scenario.sent().size() >= sentAfterRestarts + 2 * SESSIONS);
      scenario.stopLoad();

      assertExactlyOnceAndEveryoneServed(scenario, sentBeforeRestarts);
      assertListsEqualAnUninterruptedRun(scenario);
    }
  }

  /** Instances 1 and 2 still run (throws, with the dead one's last log lines, when not). */
  private static boolean survivorsAlive(final FailoverScenario scenario) {
    scenario.requireAlive(1);
    scenario.requireAlive(2);
    return true;
  }

  private static FailoverScenario.Settings settings(final int instances) {
    return new FailoverScenario.Settings(
        instances,
        PARTITIONS,
        SESSIONS,
        40,
        APP_JAR.toAbsolutePath(),
        TINY.toAbsolutePath(),
        List.of("-Xmx384m"),
        // the killed member is noticed within seconds (the default is 10 s)
        List.of(InSessionConfig.STREAMS_SESSION_TIMEOUT_MS + "=6000"),
        false);
  }

  /** One list per event; every session has lists for events sent after the disruption began. */
  private static void assertExactlyOnceAndEveryoneServed(
      final FailoverScenario scenario, final int sentBeforeDisruption) {
    await().atMost(TIMEOUT).until(scenario::everyEventHasAList);
    final List<WeblogEvent> sent = scenario.sent();
    final Map<String, Integer> counts = scenario.countsPerEvent();
    assertThat(counts.keySet())
        .as("no list for an event never sent")
        .isEqualTo(sent.stream().map(WeblogEvent::getEventId).collect(Collectors.toSet()));
    assertThat(counts.entrySet().stream().filter(e -> e.getValue() != 1).toList())
        .as("events with more than one list")
        .isEmpty();
    final Set<String> servedAfter =
        sent.subList(sentBeforeDisruption, sent.size()).stream()
            .map(WeblogEvent::getSessionId)
            .collect(Collectors.toSet());
    assertThat(servedAfter).as("every session got lists after the disruption").hasSize(SESSIONS);
  }

  /**
   * Runs the same input through one uninterrupted instance in this JVM (its own group and output
   * topic) and compares every list: same items in the same order, same scores.
   */
  private static void assertListsEqualAnUninterruptedRun(final FailoverScenario scenario)
      throws Exception {
    final String app = scenario.weblogTopic().replace("-weblog", "") + "-reference";
    final Map<String, String> settings = new HashMap<>();
    settings.put("bootstrap.servers", stack.bootstrapServers());
    settings.put("state.dir", work.resolve(app).toString());
    settings.put(InSessionConfig.APPLICATION_ID, app);
    settings.put(InSessionConfig.TOPIC_PARTITIONS, String.valueOf(PARTITIONS));
    settings.put(InSessionConfig.WEBLOG_TOPIC, scenario.weblogTopic());
    settings.put(InSessionConfig.RECOMMENDATIONS_TOPIC, app + "-recommendations");
    settings.put(InSessionConfig.DEAD_LETTER_TOPIC, app + "-dead-letter");
    settings.put(InSessionConfig.MODEL_BUNDLE, TINY.toAbsolutePath().toString());
    final InSessionConfig config = InSessionConfig.of(settings);
    try (Admin admin = Admin.create(config.clientProperties())) {
      TopicSetup.ensureTopics(admin, InSessionTopics.specs(config), Duration.ofSeconds(60));
    }
    final int events = scenario.sent().size();
    final Map<String, RecommendationList> expected = new HashMap<>();
    try (SessionScorer scorer = Scoring.open(config, Scoring.runtime(config));
        StreamsRunner reference = RecommenderStreams.create(config, scorer);
        ListReader lists =
            ListReader.start(
                config.clientProperties(), Topics.from(config).recommendations(), PARTITIONS)) {
      reference.start();
      assertThat(reference.awaitRunning(TIMEOUT)).isTrue();
      await().atMost(TIMEOUT).until(() -> lists.received().size() >= events);
      for (final ListReader.ReceivedList list : lists.received()) {
        assertThat(expected.put(list.list().getTriggerEventId(), list.list()))
            .as("the reference run's one list of %s", list.list().getTriggerEventId())
            .isNull();
      }
    }
    final List<String> differing = new ArrayList<>();
    for (final ListReader.ReceivedList received : scenario.received()) {
      final RecommendationList actual = received.list();
      final RecommendationList wanted = expected.get(actual.getTriggerEventId());
      assertThat(wanted).as("the reference list of %s", actual.getTriggerEventId()).isNotNull();
      if (!itemIds(actual).equals(itemIds(wanted))) {
        differing.add(actual.getTriggerEventId());
        continue;
      }
      for (int i = 0; i < actual.getItems().size(); i++) {
        assertThat(actual.getItems().get(i).getScore())
            .as("score %d of the list of %s", i, actual.getTriggerEventId())
            .isCloseTo(wanted.getItems().get(i).getScore(), within(1e-4f));
      }
    }
    assertThat(differing).as("lists that differ from the uninterrupted run's").isEmpty();
  }

  private static List<String> itemIds(final RecommendationList list) {
    return list.getItems().stream().map(ScoredItem::getItemId).toList();
  }
}
