package io.insession.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

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
import io.insession.schemas.RecommendationList;
import io.insession.schemas.ScoredItem;
import io.insession.schemas.TrendingList;
import io.insession.scoring.ModelBundle;
import io.insession.scoring.SessionScorer;
import io.insession.testing.KafkaTestCluster;
import io.insession.testing.TestModels;
import io.insession.trending.TrendingStore;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Online/offline parity: the lists the real topology emits for replayed test sessions score the
 * same Recall@20 and MRR@20 as {@code evaluate} computes offline through the same scoring code with
 * the same rules (200 real held-out YOOCHOOSE sessions, the tiny GRU bundle and its int8 copy).
 *
 * <p>{@code evaluate} has no live traffic, so its cold start is the bundle's popularity list: the
 * whole-figure parity runs with live trending off. With trending on (the default) the lists of
 * events whose item the model knows are the same list for list, and only the cold-start lists
 * differ: they are marked as fallbacks and drawn from what the trending topic held (or, when it
 * held nothing yet, and as the rules' backfill, from the bundle's popularity list); {@link
 * #shouldKeepTheModelsListsAndServeLiveTrendingAsTheColdStartByDefault} checks exactly that.
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
    KAFKA.createGlobalStoreTopics(config);
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
    // evaluate's cold start is the bundle's popularity list: live trending off (see the class doc)
    settings.put(InSessionConfig.TRENDING_ENABLED, "false");
    return InSessionConfig.of(settings);
  }

  @Test
  void shouldKeepTheModelsListsAndServeLiveTrendingAsTheColdStartByDefault() throws Exception {
    final List<String> ids = new ArrayList<>(new TreeSet<>(test.keySet()));
    final Map<String, List<Click>> early = new LinkedHashMap<>();
    final Map<String, List<Click>> late = new LinkedHashMap<>();
    for (int i = 0; i < ids.size(); i++) {
      (i < ids.size() / 2 ? early : late).put(ids.get(i), test.get(ids.get(i)));
    }
    // the held-out sessions hold only items the model knows: new visitors on items it does not
    // know (a product added after training) make the cold starts
    for (int i = 0; i < 10; i++) {
      final String session = "cold-" + i;
      late.put(session, List.of(new Click(session, "not-trained-" + i, Instant.EPOCH)));
    }
    try (SessionScorer scorer = TestModels.gruScorer("tiny")) {
      // the baseline: trending off, whose figures equal evaluate's (the test above). Both runs
      // score each event alone, so the same event gets bit for bit the same scores in both
      final Map<String, String> offSettings = new HashMap<>(config(true).settings());
      offSettings.put(InSessionConfig.SCORING_BATCH_MAX_SIZE, "1");
      final Map<String, RecommendationList> baseline = new HashMap<>();
      final InSessionConfig off = InSessionConfig.of(offSettings);
      try (StreamsRunner streams = streams(off, scorer)) {
        start(streams);
        baseline.putAll(replay(off, early));
        baseline.putAll(replay(off, late));
      }

      final Map<String, String> settings = new HashMap<>(config(true).settings());
      settings.remove(InSessionConfig.TRENDING_ENABLED);
      settings.put(InSessionConfig.TRENDING_TOPIC, KAFKA.uniqueName("trending"));
      settings.put(InSessionConfig.CATALOG_TOPIC, KAFKA.uniqueName("catalog"));
      settings.put(InSessionConfig.TRENDING_PUBLISH_INTERVAL_MS, "100");
      settings.put(InSessionConfig.SCORING_BATCH_MAX_SIZE, "1");
      final InSessionConfig on = InSessionConfig.of(settings);
      assertThat(on.getBoolean(InSessionConfig.TRENDING_ENABLED)).as("the default").isTrue();
      final Topics topics = Topics.from(on);
      final Map<String, RecommendationList> online = new HashMap<>();
      try (StreamsRunner streams = streams(on, scorer)) {
        start(streams);
        online.putAll(replay(on, early));
        // the early sessions' counts are published, and in the stream's global store, before the
        // late sessions start
        await().atMost(Duration.ofSeconds(60)).until(() -> !trendingItems(topics).isEmpty());
        final ReadOnlyKeyValueStore<String, Object> held =
            streams
                .streams()
                .store(
                    StoreQueryParameters.fromNameAndType(
                        TrendingStore.STORE_NAME, QueryableStoreTypes.keyValueStore()));
        await().atMost(Duration.ofSeconds(60)).until(() -> held.approximateNumEntries() > 0);
        online.putAll(replay(on, late));
      }
      final Set<String> trending = trendingItems(topics);
      final Set<String> popular = new HashSet<>();
      scorer.fallback(1_000).forEach(candidate -> popular.add(candidate.itemId()));

      final int recentItems = on.getInt(InSessionConfig.SESSION_RECENT_ITEMS);
      assertThat(online.keySet()).isEqualTo(baseline.keySet());
      int coldStarts = 0;
      int liveColdStarts = 0;
      for (final Map.Entry<String, RecommendationList> entry : baseline.entrySet()) {
        final RecommendationList expected = entry.getValue();
        final RecommendationList actual = online.get(entry.getKey());
        assertThat(actual.getFallback()).as(entry.getKey()).isEqualTo(expected.getFallback());
        if (!expected.getFallback()) {
          // the model's list, item for item
          assertThat(itemIds(actual)).as(entry.getKey()).isEqualTo(itemIds(expected));
          continue;
        }
        coldStarts++;
        final String session = entry.getKey().substring(0, entry.getKey().lastIndexOf('#'));
        final int position =
            Integer.parseInt(entry.getKey().substring(entry.getKey().lastIndexOf('#') + 1));
        // the items exclude-seen knows: the session's recent items up to this click
        final Set<String> seen = new HashSet<>();
        late.getOrDefault(session, early.get(session))
            .subList(Math.max(0, position + 1 - recentItems), position + 1)
            .forEach(click -> seen.add(click.itemId()));
        assertThat(actual.getItems()).as(entry.getKey()).hasSameSizeAs(expected.getItems());
        for (final String item : itemIds(actual)) {
          assertThat(trending.contains(item) || popular.contains(item))
              .as(
                  "%s: %s comes from the trending topic or the popularity list",
                  entry.getKey(), item)
              .isTrue();
          assertThat(seen).as(entry.getKey()).doesNotContain(item);
        }
        if (late.containsKey(session) && !itemIds(actual).equals(itemIds(expected))) {
          liveColdStarts++;
        }
      }
      assertThat(coldStarts).as("one per new visitor").isEqualTo(10);
      assertThat(liveColdStarts)
          .as("once trending has data, cold starts are the live list, not the bundle's")
          .isPositive();
    }
  }

  /** A runner (not started) over topics made by hand, as the test above makes them. */
  private StreamsRunner streams(final InSessionConfig config, final SessionScorer scorer) {
    final Topics topics = Topics.from(config);
    KAFKA.createTopic(topics.weblog().name(), 3);
    KAFKA.createTopic(topics.recommendations().name(), 3);
    KAFKA.createTopics(topics.deadLetter().name());
    KAFKA.createGlobalStoreTopics(config);
    return RecommenderStreams.create(config, scorer);
  }

  private static void start(final StreamsRunner streams) throws InterruptedException {
    streams.start();
    assertThat(streams.awaitRunning(Duration.ofSeconds(60))).isTrue();
  }

  private Map<String, RecommendationList> replay(
      final InSessionConfig config, final Map<String, List<Click>> sessions) throws Exception {
    return new TopologyReplay(
            Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
            Topics.from(config),
            catalog,
            CUTOFFS)
        .replay(sessions, Duration.ofSeconds(90));
  }

  /** Every item any share on the trending topic listed so far (the topic read from its start). */
  private Set<String> trendingItems(final Topics topics) {
    final Set<String> items = new HashSet<>();
    final Map<String, Object> props = new HashMap<>(KAFKA.adminProps());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<String, TrendingList> consumer =
        new KafkaConsumer<>(
            props,
            topics.trending().keySerde().deserializer(),
            topics.trending().valueSerde().deserializer())) {
      final TopicPartition partition = new TopicPartition(topics.trending().name(), 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      final long end = consumer.endOffsets(List.of(partition)).get(partition);
      while (consumer.position(partition) < end) {
        for (final ConsumerRecord<String, TrendingList> record :
            consumer.poll(Duration.ofMillis(200))) {
          if (record.value() != null) {
            record.value().getItems().forEach(item -> items.add(item.getItemId()));
          }
        }
      }
    }
    return items;
  }

  private static List<String> itemIds(final RecommendationList list) {
    return list.getItems().stream().map(ScoredItem::getItemId).toList();
  }
}
