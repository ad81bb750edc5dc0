package io.insession.topology;

import static io.insession.testing.TestEvents.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.insession.avro.AvroSingleObjectSerde;
import io.insession.catalog.SyntheticCatalog;
import io.insession.config.InSessionConfig;
import io.insession.kafka.Topics;
import io.insession.schemas.CatalogItem;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.ScoredItem;
import io.insession.schemas.TrendingItem;
import io.insession.schemas.TrendingList;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.Candidate;
import io.insession.scoring.SessionScorer;
import io.insession.testing.TestModels;
import io.insession.trending.TrendingCountProcessor;
import io.insession.trending.TrendingSettings;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Live trending on {@link TopologyTestDriver}: weblog events at fixed event times, a half-life of
 * one minute, so every decayed count is a sum of powers of two worked out by hand; publication by
 * advancing the driver's wall clock by the publish interval.
 */
class TrendingTopologyTest {

  private static final long GAP = 30 * 60_000L;
  private static final int LENGTH = 10;
  private static final long HALF_LIFE = 60_000L;
  private static final long PUBLISH = 10_000L;
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

  private static SessionScorer scorer;
  private static Topics topics;

  private TopologyTestDriver driver;
  private TestInputTopic<byte[], byte[]> weblog;
  private TestInputTopic<String, CatalogItem> catalog;
  private TestInputTopic<String, TrendingList> trendingIn;
  private TestOutputTopic<String, TrendingList> trending;
  private TestOutputTopic<String, RecommendationList> recommendations;
  private int events;

  @BeforeAll
  static void loadModel() {
    scorer = TestModels.tinyGruScorer();
    topics = Topics.from(InSessionConfig.of(Map.of()));
  }

  @AfterAll
  static void closeModel() {
    scorer.close();
  }

  @AfterEach
  void closeDriver() {
    if (driver != null) {
      driver.close();
    }
  }

  private void start(final boolean trendingOn) {
    final TrendingSettings settings =
        new TrendingSettings(trendingOn, HALF_LIFE, 100, PUBLISH, 0.01);
    driver =
        new TopologyTestDriver(
            RecommenderTopology.build(
                TopologySettings.unbatched(GAP, 60_000L, 50, LENGTH, true).withTrending(settings),
                scorer,
                topics,
                Clock.fixed(NOW, ZoneOffset.UTC)),
            TopologyTestProperties.production("trending-test"),
            NOW);
    weblog =
        driver.createInputTopic(
            topics.weblog().name(),
            Serdes.ByteArray().serializer(),
            Serdes.ByteArray().serializer());
    recommendations =
        driver.createOutputTopic(
            topics.recommendations().name(),
            topics.recommendations().keySerde().deserializer(),
            topics.recommendations().valueSerde().deserializer());
    if (trendingOn) {
      catalog =
          driver.createInputTopic(
              topics.catalog().name(),
              topics.catalog().keySerde().serializer(),
              topics.catalog().valueSerde().serializer());
      trendingIn =
          driver.createInputTopic(
              topics.trending().name(),
              topics.trending().keySerde().serializer(),
              topics.trending().valueSerde().serializer());
      trending =
          driver.createOutputTopic(
              topics.trending().name(),
              topics.trending().keySerde().deserializer(),
              topics.trending().valueSerde().deserializer());
    }
  }

  /** A view of {@code itemId} by a session of its own at {@code time}; its list is dropped. */
  private void viewed(final String itemId, final Instant time) {
    events++;
    send(view("s" + events, "e" + events, itemId, time));
    recommendations.readValuesToList();
  }

  private void send(final WeblogEvent event) {
    weblog.pipeInput(
        event.getSessionId().getBytes(StandardCharsets.UTF_8),
        AvroSingleObjectSerde.forType(WeblogEvent.class).serialize("t", event),
        event.getEventTime());
  }

  /** Lets the counting task publish, and returns what it published by key, in order. */
  private Map<String, TrendingList> published() {
    driver.advanceWallClockTime(Duration.ofMillis(PUBLISH));
    final Map<String, TrendingList> byKey = new java.util.LinkedHashMap<>();
    for (final KeyValue<String, TrendingList> record : trending.readKeyValuesToList()) {
      byKey.put(record.key, record.value);
    }
    return byKey;
  }

  private static List<Map.Entry<String, Double>> items(final TrendingList list) {
    final List<Map.Entry<String, Double>> items = new ArrayList<>();
    for (final TrendingItem item : list.getItems()) {
      items.add(Map.entry(item.getItemId(), item.getScore()));
    }
    return items;
  }

  private void listed(final String itemId, final List<String> path) {
    catalog.pipeInput(
        itemId,
        CatalogItem.newBuilder(SyntheticCatalog.item(itemId, 1, T0)).setCategoryPath(path).build(),
        T0);
  }

  private List<String> listAfter(final WeblogEvent event) {
    send(event);
    final List<RecommendationList> lists = recommendations.readValuesToList();
    assertThat(lists).hasSize(1);
    return lists.get(0).getItems().stream().map(ScoredItem::getItemId).toList();
  }

  @Test
  void shouldDecayCountsByEventTimeWithTheHalfLife() {
    start(true);
    // A: 1 at T0, then 1/2 + 1 = 1.5 at T0+60s; B: 1 at T0+60s, 1/2 + 1 = 1.5 at T0+120s; C: 1
    viewed("A", T0);
    viewed("A", T0.plusSeconds(60));
    viewed("B", T0.plusSeconds(60));
    viewed("B", T0.plusSeconds(120));
    viewed("C", T0.plusSeconds(120));

    final TrendingList all = published().get("all#0");

    // decayed to the newest event time, T0+120s: A 1.5 / 2 = 0.75
    assertThat(all.getScope()).isEqualTo("all");
    assertThat(all.getPartition()).isZero();
    assertThat(all.getAsOf()).isEqualTo(T0.plusSeconds(120));
    assertThat(all.getHalfLifeMs()).isEqualTo(HALF_LIFE);
    assertThat(items(all))
        .containsExactly(Map.entry("B", 1.5), Map.entry("C", 1.0), Map.entry("A", 0.75));
  }

  @Test
  void shouldCountALateEventAtItsOwnTimeAndBreakTiesByItemId() {
    start(true);
    viewed("A", T0.plusSeconds(60));
    viewed("C", T0.plusSeconds(120));
    // one minute older than A's count: each adds 1/2 at T0+60s, so A is 2 there and 1 at T0+120s,
    // level with C
    viewed("A", T0);
    viewed("A", T0);

    assertThat(items(published().get("all#0")))
        .containsExactly(Map.entry("A", 1.0), Map.entry("C", 1.0));
  }

  @Test
  void shouldPublishEveryCategoryLevelAndCountUnlistedItemsOverallOnly() {
    start(true);
    listed("A", List.of("Shoes", "Running"));
    listed("B", List.of("Shoes", "Hiking"));
    viewed("A", T0);
    viewed("B", T0);
    viewed("B", T0);
    viewed("C", T0); // not in the catalogue

    final Map<String, TrendingList> lists = published();

    assertThat(lists)
        .containsOnlyKeys(
            "all#0", "category:Shoes#0", "category:Shoes > Running#0", "category:Shoes > Hiking#0");
    assertThat(items(lists.get("all#0")))
        .containsExactly(Map.entry("B", 2.0), Map.entry("A", 1.0), Map.entry("C", 1.0));
    assertThat(items(lists.get("category:Shoes#0")))
        .containsExactly(Map.entry("B", 2.0), Map.entry("A", 1.0));
    assertThat(items(lists.get("category:Shoes > Running#0"))).containsExactly(Map.entry("A", 1.0));
    assertThat(items(lists.get("category:Shoes > Hiking#0"))).containsExactly(Map.entry("B", 2.0));
  }

  @Test
  void shouldForgetFadedItemsAndTombstoneScopesLeftEmpty() {
    start(true);
    listed("A", List.of("Shoes"));
    viewed("A", T0);
    assertThat(published()).containsOnlyKeys("all#0", "category:Shoes#0");

    // ten minutes on, A counts 2^-10 < 0.01: forgotten, its category gone
    viewed("D", T0.plusSeconds(600));
    final List<TestRecord<String, TrendingList>> records = new ArrayList<>();
    driver.advanceWallClockTime(Duration.ofMillis(PUBLISH));
    records.addAll(trending.readRecordsToList());

    assertThat(records)
        .anySatisfy(
            record -> {
              assertThat(record.key()).isEqualTo("category:Shoes#0");
              assertThat(record.value()).isNull();
            });
    assertThat(records)
        .anySatisfy(
            record -> {
              assertThat(record.key()).isEqualTo("all#0");
              assertThat(items(record.value())).containsExactly(Map.entry("D", 1.0));
            });
    final KeyValueStore<String, ?> counts =
        driver.getKeyValueStore(TrendingCountProcessor.COUNTS_STORE);
    assertThat(counts.get("A")).isNull();
    assertThat(counts.get("D")).isNotNull();
  }

  @Test
  void shouldNotPublishAgainWhenNothingWasCounted() {
    start(true);
    viewed("A", T0);
    assertThat(published()).containsOnlyKeys("all#0");

    assertThat(published()).isEmpty();
  }

  @Test
  void shouldServeLiveTrendingToASessionWhoseItemTheModelDoesNotKnow() {
    start(true);
    final String hot = TestModels.tinyItemId(7);
    final String warm = TestModels.tinyItemId(3);
    viewed(hot, T0);
    viewed(hot, T0);
    viewed(warm, T0);
    published();

    final List<String> list = listAfter(view("cold", "e1", "never-trained-item", T0));

    // the trending items first, then the rules' backfill from the bundle's popular items
    assertThat(list).hasSize(LENGTH).startsWith(hot, warm);
    assertThat(list.subList(2, LENGTH))
        .isEqualTo(popularWithout(List.of(hot, warm)).subList(0, LENGTH - 2));
  }

  @Test
  void shouldServeTheFrozenPopularityListWhileTrendingHasNoData() {
    start(true);

    final List<String> list = listAfter(view("cold", "e1", "never-trained-item", T0));

    assertThat(list).isEqualTo(popularWithout(List.of()).subList(0, LENGTH));
  }

  @Test
  void shouldMergeTheSharesOfTwoPartitionsDecayedToTheNewestOne() {
    start(true);
    final String x = TestModels.tinyItemId(1);
    final String y = TestModels.tinyItemId(2);
    final String z = TestModels.tinyItemId(5);
    // partition 0 as of T0+120s: x 2, y 1; partition 1 as of T0+60s: z 3, which is 1.5 at T0+120s
    share(0, T0.plusSeconds(120), Map.entry(x, 2.0), Map.entry(y, 1.0));
    share(1, T0.plusSeconds(60), Map.entry(z, 3.0));

    final List<String> list = listAfter(view("cold", "e1", "never-trained-item", T0));

    assertThat(list).startsWith(x, z, y);
  }

  @SafeVarargs
  private void share(
      final int partition, final Instant asOf, final Map.Entry<String, Double>... items) {
    final List<TrendingItem> listed = new ArrayList<>();
    for (final Map.Entry<String, Double> item : items) {
      listed.add(new TrendingItem(item.getKey(), item.getValue()));
    }
    trendingIn.pipeInput(
        "all#" + partition, new TrendingList("all", partition, asOf, HALF_LIFE, listed), asOf);
  }

  @Test
  void shouldLeaveTheTopologyWithoutTrendingStoresWhenOff() {
    start(false);

    assertThat(driver.getAllStateStores())
        .doesNotContainKeys(TrendingCountProcessor.COUNTS_STORE, "trending-store");
    final List<String> list = listAfter(view("cold", "e1", "never-trained-item", T0));
    assertThat(list).isEqualTo(popularWithout(List.of()).subList(0, LENGTH));
  }

  /** The bundle's popular items, best first, without {@code left}. */
  private static List<String> popularWithout(final List<String> left) {
    return scorer.fallback(100).stream()
        .map(Candidate::itemId)
        .filter(id -> !left.contains(id))
        .toList();
  }
}
