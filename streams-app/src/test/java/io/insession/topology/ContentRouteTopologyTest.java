package io.insession.topology;

import static io.insession.testing.TestEvents.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.insession.catalog.SyntheticCatalog;
import io.insession.config.InSessionConfig;
import io.insession.config.RuleChainSpec;
import io.insession.kafka.Topics;
import io.insession.rules.RuleSettings;
import io.insession.schemas.CatalogItem;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.ScoredItem;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.Candidate;
import io.insession.scoring.ScorerVariants;
import io.insession.scoring.SessionScorer;
import io.insession.testing.TestModels;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The content route on {@link org.apache.kafka.streams.TopologyTestDriver}: catalogue records and
 * weblog events at fixed timestamps, the real tiny ONNX bundle, the chain {@code
 * content,available,exclude-seen}. Every item of the model is listed long ago in a category of its
 * own, except the vocabulary's last two: alike 0 (Shoes > Running, Acme) and alike 1 (Shoes >
 * Trail, Acme); the new item is not in the model's vocabulary.
 */
class ContentRouteTopologyTest {

  private static final long GAP = 60_000L;
  private static final int LENGTH = 10;
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
  private static final String NEW_ITEM = "new-item-1";

  private static SessionScorer scorer;
  private static Topics topics;

  private CatalogTopologyDriver driver;

  @BeforeAll
  static void loadModel() {
    scorer = TestModels.tinyGruScorer();
    topics = Topics.from(InSessionConfig.of(Map.of()));
  }

  @AfterAll
  static void closeModel() {
    scorer.close();
  }

  @BeforeEach
  void start() {
    start(Map.of());
  }

  private void start(final Map<String, List<String>> variantChains) {
    if (driver != null) {
      driver.close();
    }
    final TopologySettings settings =
        TopologySettings.unbatched(GAP, 1_000L, 50, LENGTH, true)
            .withRules(
                RuleSettings.defaults()
                    .withChain(
                        List.of(
                            RuleChainSpec.CONTENT,
                            RuleChainSpec.AVAILABLE,
                            RuleChainSpec.EXCLUDE_SEEN))
                    .withVariantChains(variantChains));
    driver =
        new CatalogTopologyDriver(
            RecommenderTopology.build(settings, scorer, topics, Clock.fixed(NOW, ZoneOffset.UTC)),
            topics,
            "content-route-test",
            NOW);
    for (int i = 0; i < TestModels.tinyBundle().numItems(); i++) {
      put(listed(item(i), List.of("Category " + i), null, NOW.minus(Duration.ofDays(100))));
    }
    put(listed(alike(0), List.of("Shoes", "Running"), "Acme", NOW.minus(Duration.ofDays(100))));
    put(listed(alike(1), List.of("Shoes", "Trail"), "Acme", NOW.minus(Duration.ofDays(100))));
  }

  @AfterEach
  void closeDriver() {
    driver.close();
  }

  private static CatalogItem listed(
      final String itemId, final List<String> category, final String brand, final Instant listed) {
    return CatalogItem.newBuilder(SyntheticCatalog.item(itemId, 1, listed))
        .setInStock(true)
        .setCategoryPath(category)
        .setBrand(brand)
        .setFirstSeen(listed)
        .setAttributes(Map.of())
        .build();
  }

  /** A product listed an hour ago, alike 0's twin. */
  private static CatalogItem newItem() {
    return listed(NEW_ITEM, List.of("Shoes", "Running"), "Acme", NOW.minus(Duration.ofHours(1)));
  }

  private void put(final CatalogItem item) {
    driver.put(item, T0);
  }

  private RecommendationList listAfter(final WeblogEvent event) {
    final List<RecommendationList> lists = driver.listsAfter(event);
    assertThat(lists).hasSize(1);
    return lists.get(0);
  }

  private static List<String> ids(final RecommendationList list) {
    return list.getItems().stream().map(ScoredItem::getItemId).toList();
  }

  private static String item(final int index) {
    return TestModels.tinyItemId(index);
  }

  /**
   * The last items of the vocabulary (not among the popular ones): 0 and 1 are alike the new item.
   */
  private static String alike(final int index) {
    return item(TestModels.tinyBundle().numItems() - 1 - index);
  }

  @Test
  void shouldRecommendANewItemInTheListRightAfterItsCatalogueRecord() {
    final RecommendationList before = listAfter(view("s1", "e1", alike(0), T0));
    assertThat(ids(before)).doesNotContain(NEW_ITEM).hasSize(LENGTH);

    put(newItem());

    // the next event (a new session's same first view: the same model list) has it: same category
    // path and brand as alike 0 (similarity 1), an hour old: the top of the list
    final RecommendationList after = listAfter(view("s2", "e1", alike(0), T0.plusSeconds(5)));
    assertThat(ids(after).get(0)).isEqualTo(NEW_ITEM);
    assertThat(ids(after).subList(1, LENGTH)).isEqualTo(ids(before).subList(0, LENGTH - 1));
    assertThat(after.getFallback()).isFalse();
    assertThat(after.getVariant()).isEqualTo(ScorerVariants.DEFAULT);
  }

  @Test
  void shouldDropTheNewItemOnceItSellsOut() {
    put(newItem());
    assertThat(ids(listAfter(view("s1", "e1", alike(0), T0)))).contains(NEW_ITEM);

    put(CatalogItem.newBuilder(newItem()).setInStock(false).build());

    assertThat(ids(listAfter(view("s1", "e2", alike(0), T0.plusSeconds(5)))))
        .doesNotContain(NEW_ITEM)
        .hasSize(LENGTH);
  }

  @Test
  void shouldServeAContentBasedListToASessionThatClicksAnItemTheModelDoesNotKnow() {
    put(newItem());

    final RecommendationList list = listAfter(view("s1", "e1", NEW_ITEM, T0));

    // alike 0 carries every token of the new item that another item has; alike 1 Shoes and Acme
    final List<String> popular = scorer.fallback(LENGTH).stream().map(Candidate::itemId).toList();
    assertThat(popular).doesNotContain(alike(0), alike(1));
    assertThat(ids(list)).startsWith(alike(0), alike(1)).hasSize(LENGTH).doesNotContain(NEW_ITEM);
    assertThat(ids(list)).isNotEqualTo(popular);
    assertThat(ids(list).subList(2, LENGTH))
        .isEqualTo(
            popular.stream()
                .filter(id -> !id.equals(alike(0)) && !id.equals(alike(1)))
                .limit(LENGTH - 2)
                .toList());
    assertThat(list.getFallback()).isTrue();
  }

  @Test
  void shouldLeaveTheRouteOffForAVariantWhoseChainDoesNotNameIt() {
    start(Map.of(ScorerVariants.DEFAULT, List.of(RuleChainSpec.AVAILABLE)));
    put(newItem());

    assertThat(ids(listAfter(view("s1", "e1", alike(0), T0)))).doesNotContain(NEW_ITEM);
    assertThat(ids(listAfter(view("s2", "e1", NEW_ITEM, T0))))
        .isEqualTo(scorer.fallback(LENGTH).stream().map(Candidate::itemId).toList());
  }

  @Test
  void shouldForgetADeletedNewItem() {
    put(newItem());
    driver.delete(NEW_ITEM, T0);

    assertThat(ids(listAfter(view("s1", "e1", alike(0), T0)))).doesNotContain(NEW_ITEM);
    assertThat(ids(listAfter(view("s2", "e1", NEW_ITEM, T0))))
        .isEqualTo(scorer.fallback(LENGTH).stream().map(Candidate::itemId).toList());
  }
}
