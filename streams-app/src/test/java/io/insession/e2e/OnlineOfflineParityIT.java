package io.insession.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.insession.config.InSessionConfig;
import io.insession.data.Click;
import io.insession.data.SessionFiles;
import io.insession.evaluation.Catalog;
import io.insession.evaluation.Evaluation;
import io.insession.evaluation.EvaluationOptions;
import io.insession.evaluation.EvaluationReport;
import io.insession.evaluation.EvaluationReport.CutoffMetrics;
import io.insession.evaluation.NamedScorer;
import io.insession.evaluation.TopologyReplay;
import io.insession.kafka.Topics;
import io.insession.runtime.RecommenderStreams;
import io.insession.runtime.StreamsRunner;
import io.insession.scoring.ModelBundle;
import io.insession.scoring.SessionScorer;
import io.insession.testing.KafkaTestCluster;
import io.insession.testing.TestModels;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Online/offline parity: the lists the real topology emits for replayed test sessions score the
 * same Recall@20 and MRR@20 as {@code evaluate} computes offline through the same scoring code with
 * the same rules (200 real held-out YOOCHOOSE sessions, the tiny GRU bundle and its int8 copy).
 */
class OnlineOfflineParityIT {

  @RegisterExtension static final KafkaTestCluster KAFKA = new KafkaTestCluster();

  private static final List<Integer> CUTOFFS = List.of(20);

  private static Map<String, List<Click>> test;
  private static Catalog catalog;

  @TempDir Path stateDir;

  @BeforeAll
  static void load() throws Exception {
    try (InputStream in =
        OnlineOfflineParityIT.class
            .getClassLoader()
            .getResourceAsStream("evaluation/yoochoose-100k-test-head200.tsv")) {
      test = SessionFiles.readSessions(in, "yoochoose-100k-test-head200.tsv");
    }
    final ModelBundle bundle = TestModels.tinyBundle();
    final Map<String, Long> counts = new HashMap<>();
    for (int index = 0; index < bundle.numItems(); index++) {
      counts.put(bundle.itemId(index), bundle.count(index));
    }
    catalog = Catalog.of(counts);
  }

  /**
   * The float bundle with and without the rule, and its int8 copy: its scores are quantised per
   * session, so micro-batches of other sessions must not change its lists either.
   */
  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("tiny", true), Arguments.of("tiny", false), Arguments.of("tiny-int8", true));
  }

  @ParameterizedTest(name = "{0}, exclude seen items: {1}")
  @MethodSource("cases")
  void shouldScoreTheSameOnlineAsOffline(final String bundle, final boolean excludeSeen)
      throws Exception {
    try (SessionScorer scorer = TestModels.gruScorer(bundle)) {
      scoreTheSameOnlineAsOffline(scorer, excludeSeen);
    }
  }

  private void scoreTheSameOnlineAsOffline(final SessionScorer scorer, final boolean excludeSeen)
      throws Exception {
    final EvaluationReport offline =
        Evaluation.run(
            List.of(new NamedScorer("gru", scorer)),
            catalog,
            test,
            EvaluationOptions.defaults().withCutoffs(CUTOFFS).withProgress(false));
    final CutoffMetrics expected =
        excludeSeen
            ? offline.models().get(0).served().get(0).overall().get(0)
            : offline.models().get(0).protocol().get(0);

    final InSessionConfig config = config(excludeSeen);
    final Topics topics = Topics.from(config);
    KAFKA.createTopic(topics.weblog().name(), 3);
    KAFKA.createTopic(topics.recommendations().name(), 3);
    KAFKA.createTopics(topics.deadLetter().name());
    final CutoffMetrics online;
    try (StreamsRunner streams = RecommenderStreams.create(config, scorer)) {
      streams.start();
      assertThat(streams.awaitRunning(Duration.ofSeconds(60))).isTrue();
      online =
          new TopologyReplay(
                  Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
                  topics,
                  catalog,
                  CUTOFFS)
              .run(test, Duration.ofSeconds(90))
              .get(0);
    }

    assertThat(offline.dataset().predictions()).isGreaterThan(500);
    assertThat(online.recall()).isCloseTo(expected.recall(), within(0.0005));
    assertThat(online.mrr()).isCloseTo(expected.mrr(), within(0.0005));
    assertThat(online.recall()).as("a trained model finds some targets").isGreaterThan(0.1);
  }

  private InSessionConfig config(final boolean excludeSeen) {
    final Map<String, String> settings = new HashMap<>();
    settings.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
    settings.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    settings.put(InSessionConfig.APPLICATION_ID, KAFKA.uniqueName("parity"));
    settings.put(InSessionConfig.WEBLOG_TOPIC, KAFKA.uniqueName("weblog"));
    settings.put(InSessionConfig.DEAD_LETTER_TOPIC, KAFKA.uniqueName("dlq"));
    settings.put(InSessionConfig.RECOMMENDATIONS_TOPIC, KAFKA.uniqueName("recommendations"));
    settings.put(InSessionConfig.RECOMMENDATIONS_COUNT, "20");
    settings.put(InSessionConfig.RULE_EXCLUDE_SEEN, String.valueOf(excludeSeen));
    return InSessionConfig.of(settings);
  }
}
