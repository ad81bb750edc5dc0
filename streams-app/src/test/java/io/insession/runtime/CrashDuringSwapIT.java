package io.insession.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insession.config.InSessionConfig;
import io.insession.deployment.DeploymentLog;
import io.insession.deployment.Deployments;
import io.insession.kafka.TopicSetup;
import io.insession.metrics.TopologyMetrics;
import io.insession.schemas.DeployedVariant;
import io.insession.schemas.ModelDeployment;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.CurrentVariants;
import io.insession.scoring.OnnxGruScorer;
import io.insession.scoring.OnnxRuntime;
import io.insession.scoring.ScorerVariants;
import io.insession.scoring.SessionScorer;
import io.insession.scoring.StepRequest;
import io.insession.scoring.StepResult;
import io.insession.testing.CommittedLists;
import io.insession.testing.ForwardingScorer;
import io.insession.testing.KafkaTestCluster;
import io.insession.testing.SwapSettings;
import io.insession.testing.TestEvents;
import io.insession.testing.TestModels;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10's crash during a swap, on a real broker with real bundles: the instance dies after the
 * deployed bundle is loaded, verified and warmed but before the switch, with events in an open
 * transaction; restarted on the same state, every event has exactly one list (read_committed) and
 * the deployment is applied.
 */
class CrashDuringSwapIT {

  @RegisterExtension static final KafkaTestCluster KAFKA = new KafkaTestCluster();

  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final int SESSIONS = 5;
  private static final int EVENTS_PER_PHASE = 20;

  @TempDir Path stateDir;

  @Test
  void shouldKeepExactlyOneListPerEventAndApplyTheDeploymentAfterACrashBetweenLoadAndSwitch()
      throws Exception {
    final InSessionConfig config = config();
    TopicSetup.ensureTopics(config, InSessionTopics.specs(config), TIMEOUT);
    final DeploymentLog log = new DeploymentLog(config);
    final String int8Version;
    try (OnnxGruScorer int8 = TestModels.gruScorer("tiny-int8")) {
      int8Version = int8.model().version();
    }
    final OnnxRuntime runtime = Scoring.runtime(config);
    try (OnnxGruScorer tiny = TestModels.tinyGruScorer();
        CommittedLists lists = new CommittedLists(config);
        KafkaProducer<String, WeblogEvent> producer = CommittedLists.producer(config)) {
      final String tinyVersion = tiny.model().version();
      assertThat(int8Version).isNotEqualTo(tinyVersion);

      // 1. the instance serves the tiny bundle; a deployment of its int8 build is loaded, then the
      //    stream dies (a scorer call fails mid-batch, its transaction open) before the switch
      final CrashableScorer crashable = new CrashableScorer(tiny);
      final CountDownLatch loaded = new CountDownLatch(1);
      final CountDownLatch killed = new CountDownLatch(1);
      final CurrentVariants first = new CurrentVariants(ScorerVariants.single(crashable));
      try (StreamsRunner streams = RecommenderStreams.create(config, first, TopologyMetrics.NONE)) {
        streams.start();
        assertThat(streams.awaitRunning(TIMEOUT)).isTrue();
        send(config, producer, 0, EVENTS_PER_PHASE);
        await().atMost(TIMEOUT).until(() -> lists.poll().size() >= EVENTS_PER_PHASE);

        final ModelSwap swap =
            new ModelSwap(
                config,
                runtime,
                first,
                served -> {},
                opened -> {
                  loaded.countDown();
                  awaitQuietly(killed);
                  throw new IllegalStateException("simulated crash between load and switch");
                });
        try (DeploymentFollower follower = DeploymentFollower.start(log, swap)) {
          deploy(log);
          assertThat(loaded.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
          crashable.crash();
          send(config, producer, EVENTS_PER_PHASE, EVENTS_PER_PHASE);
          await().atMost(TIMEOUT).until(streams::hasFailed);
          killed.countDown();
          assertThat(follower.served()).isEmpty();
        }
        assertThat(first.get().primary().scorer().model().version()).isEqualTo(tinyVersion);
      }
      assertThat(lists.poll())
          .as("the crashed batch left nothing visible")
          .hasSize(EVENTS_PER_PHASE)
          .allSatisfy(list -> assertThat(list.getModelVersion()).isEqualTo(tinyVersion));

      // 2. restarted on the same state: the follower applies the deployment, the stream resumes
      final CurrentVariants second = new CurrentVariants(ScorerVariants.single(tiny));
      try (second;
          StreamsRunner streams = RecommenderStreams.create(config, second, TopologyMetrics.NONE)) {
        streams.start();
        assertThat(streams.awaitRunning(TIMEOUT)).isTrue();
        try (DeploymentFollower follower =
            DeploymentFollower.start(log, new ModelSwap(config, runtime, second))) {
          await().atMost(TIMEOUT).until(() -> follower.served().isPresent());
          assertThat(second.get().primary().scorer().model().version()).isEqualTo(int8Version);
          send(config, producer, 2 * EVENTS_PER_PHASE, EVENTS_PER_PHASE);
          final int events = 3 * EVENTS_PER_PHASE;
          await().atMost(TIMEOUT).until(() -> lists.poll().size() >= events);

          final List<RecommendationList> all = lists.poll();
          final Map<String, Long> listsPerEvent =
              all.stream()
                  .collect(
                      Collectors.groupingBy(
                          RecommendationList::getTriggerEventId, Collectors.counting()));
          assertThat(listsPerEvent).as("one list per event").hasSize(events);
          assertThat(listsPerEvent.values()).allMatch(count -> count == 1L);
          final Map<String, RecommendationList> byEvent =
              all.stream()
                  .collect(
                      Collectors.toMap(RecommendationList::getTriggerEventId, Function.identity()));
          for (int n = 2 * EVENTS_PER_PHASE; n < events; n++) {
            assertThat(byEvent.get("e-" + n).getModelVersion())
                .as("events sent after the deployment was applied")
                .isEqualTo(int8Version);
          }
        }
      }
    }
  }

  private static void awaitQuietly(final CountDownLatch latch) {
    try {
      latch.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Deploys the tiny bundle's int8 build (a bundle directory) as the one variant "gru". */
  private static void deploy(final DeploymentLog log) {
    final ModelDeployment deployment =
        Deployments.deploy(
            List.of(new DeployedVariant("gru", TestModels.bundleDir("tiny-int8").toString(), 1)),
            "salt",
            "crash-during-swap-it",
            Instant.now(),
            null);
    log.append(deployment, TIMEOUT);
  }

  private InSessionConfig config() {
    final Map<String, String> settings = SwapSettings.of(KAFKA, stateDir, "crash-swap");
    // the crashed member never says goodbye: let the group notice within seconds, not 45 s
    settings.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "6000");
    return InSessionConfig.of(settings);
  }

  /** Sends events {@code e-from} to {@code e-(from+count-1)} over {@value #SESSIONS} sessions. */
  private static void send(
      final InSessionConfig config,
      final KafkaProducer<String, WeblogEvent> producer,
      final int from,
      final int count) {
    for (int n = from; n < from + count; n++) {
      final WeblogEvent event =
          TestEvents.view(
              "s-" + (n % SESSIONS), "e-" + n, TestModels.tinyItemId(1 + n % 10), Instant.now());
      CommittedLists.send(config, producer, event);
    }
    producer.flush();
  }

  /** The real scorer, made to fail every call from {@link #crash()} on: the crash. */
  private static final class CrashableScorer extends ForwardingScorer {
    private final AtomicBoolean crashed = new AtomicBoolean();

    CrashableScorer(final SessionScorer real) {
      super(real);
    }

    void crash() {
      crashed.set(true);
    }

    @Override
    public List<StepResult> stepAll(final List<StepRequest> requests) {
      if (crashed.get()) {
        throw new IllegalStateException("simulated crash: the instance dies mid-batch");
      }
      return super.stepAll(requests);
    }
  }
}
