package io.insession.topology;

import static io.insession.testing.TestEvents.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.insession.catalog.SyntheticCatalog;
import io.insession.config.CampaignSpec;
import io.insession.config.InSessionConfig;
import io.insession.config.RuleChainSpec;
import io.insession.kafka.Topics;
import io.insession.metrics.MicrometerTopologyMetrics;
import io.insession.rules.RuleSettings;
import io.insession.schemas.CatalogItem;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.ScoredItem;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.Candidate;
import io.insession.scoring.ScorerVariants;
import io.insession.scoring.SessionScorer;
import io.insession.scoring.StepRequest;
import io.insession.testing.TestModels;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The catalogue rules on {@link TopologyTestDriver}: catalogue records and weblog events at fixed
 * timestamps, scored by the real tiny ONNX bundle. Expected lists are worked out from the model's
 * own top-20 for the same event (the scorer called directly) and the catalogue.
 */
class CatalogRulesTopologyTest {

  private static final long GAP = 60_000L;
  private static final int LENGTH = 10;
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
  private static final List<String> CHAIN =
      List.of(
          RuleChainSpec.AVAILABLE,
          RuleChainSpec.EXCLUDE_SEEN,
          RuleChainSpec.CATEGORY_CAP,
          RuleChainSpec.CAMPAIGNS);

  private static SessionScorer scorer;
  private static Topics topics;

  /** The model's top-20 for a new session's first view of item 0, best first. */
  private static List<String> top;

  private CatalogTopologyDriver driver;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeAll
  static void loadModel() {
    scorer = TestModels.tinyGruScorer();
    topics = Topics.from(InSessionConfig.of(Map.of()));
    top =
        scorer.step(new StepRequest(new byte[0], List.of(), item(0))).candidates().stream()
            .map(Candidate::itemId)
            .toList();
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

  private void start(final UnaryOperator<RuleSettings> rules) {
    final TopologySettings settings =
        TopologySettings.unbatched(GAP, 1_000L, 50, LENGTH, true)
            .withRules(rules.apply(RuleSettings.defaults().withChain(CHAIN)));
    driver =
        new CatalogTopologyDriver(
            RecommenderTopology.build(
                settings,
                scorer,
                topics,
                Clock.fixed(NOW, ZoneOffset.UTC),
                new MicrometerTopologyMetrics(registry, List.of())),
            topics,
            "catalog-rules-test",
            NOW);
    // every item of the model listed, in stock, each in a category of its own
    for (int i = 0; i < TestModels.tinyBundle().numItems(); i++) {
      put(listed(item(i)).build());
    }
  }

  private static CatalogItem.Builder listed(final String itemId) {
    return CatalogItem.newBuilder(SyntheticCatalog.item(itemId, 1, T0))
        .setInStock(true)
        .setCategoryPath(List.of("Category " + itemId))
        .setBrand(null)
        .setAttributes(Map.of());
  }

  private void put(final CatalogItem item) {
    driver.put(item, T0);
  }

  private List<String> listAfter(final WeblogEvent event) {
    final List<RecommendationList> lists = driver.listsAfter(event);
    assertThat(lists).hasSize(1);
    return lists.get(0).getItems().stream().map(ScoredItem::getItemId).toList();
  }

  /** The model's top-20 without {@code dropped} and the session's item 0, cut to the length. */
  private static List<String> expected(final Set<String> dropped) {
    final List<String> kept = new ArrayList<>();
    for (final String id : top) {
      if (!dropped.contains(id) && !id.equals(item(0))) {
        kept.add(id);
      }
    }
    return kept.subList(0, Math.min(LENGTH, kept.size()));
  }

  private static String item(final int index) {
    return TestModels.tinyItemId(index);
  }

  private double removed(final String rule) {
    final Counter counter =
        registry
            .find("insession.rule.removed")
            .tags("rule", rule, "variant", ScorerVariants.DEFAULT)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void shouldServeTheModelsListWhenTheCatalogueListsEveryItemInStock() {
    start(UnaryOperator.identity());

    assertThat(listAfter(view("s1", "e1", item(0), T0))).isEqualTo(expected(Set.of()));
    assertThat(removed(RuleChainSpec.AVAILABLE)).isZero();
  }

  @Test
  void shouldDropAnItemThatGoesOutOfStockMidSessionFromTheNextList() {
    start(UnaryOperator.identity());
    final List<String> first = listAfter(view("s1", "e1", item(0), T0));
    final String soldOut = first.get(0);

    put(listed(soldOut).setInStock(false).build());

    assertThat(listAfter(view("s1", "e2", item(0), T0.plusSeconds(5)))).doesNotContain(soldOut);
    final List<String> fresh = listAfter(view("s2", "e1", item(0), T0.plusSeconds(6)));
    assertThat(fresh).isEqualTo(expected(Set.of(soldOut))).hasSize(LENGTH);
    assertThat(removed(RuleChainSpec.AVAILABLE)).isEqualTo(2);
  }

  @Test
  void shouldNeverServeADeletedOrNotYetAvailableItem() {
    start(UnaryOperator.identity());
    final String deleted = expected(Set.of()).get(1);
    final String later = expected(Set.of()).get(2);

    driver.delete(deleted, T0);
    put(listed(later).setAvailableFrom(NOW.plusSeconds(1)).build());

    assertThat(listAfter(view("s1", "e1", item(0), T0)))
        .isEqualTo(expected(Set.of(deleted, later)))
        .doesNotContain(deleted, later);
  }

  @Test
  void shouldCapTheItemsOfOneCategoryAndKeepTheListFull() {
    start(rules -> rules.withCategoryCap(2, 1));
    final List<String> uncapped = expected(Set.of());
    // the five best in one top-level category (sub-categories differ: depth 1 caps the top level)
    for (int i = 0; i < 5; i++) {
      put(listed(uncapped.get(i)).setCategoryPath(List.of("Shoes", "Shoes " + i)).build());
    }

    final List<String> list = listAfter(view("s1", "e1", item(0), T0));

    assertThat(list).hasSize(LENGTH);
    assertThat(list.stream().filter(uncapped.subList(0, 5)::contains))
        .containsExactly(uncapped.get(0), uncapped.get(1));
    assertThat(list).isEqualTo(expected(Set.copyOf(uncapped.subList(2, 5))));
    assertThat(removed(RuleChainSpec.CATEGORY_CAP)).isEqualTo(3);
  }

  @Test
  void shouldBackfillFromThePopularItemsWhenTheRulesLeaveTooFewCandidates() {
    start(UnaryOperator.identity());
    final Set<String> soldOut = Set.copyOf(top.subList(0, 15));
    for (final String id : soldOut) {
      put(listed(id).setInStock(false).build());
    }
    final List<String> left = expected(soldOut);
    assertThat(left).hasSizeLessThan(LENGTH);

    final List<String> list = listAfter(view("s1", "e1", item(0), T0));

    assertThat(list).hasSize(LENGTH).startsWith(left.toArray(String[]::new));
    final List<String> popular = new ArrayList<>();
    for (final Candidate candidate : scorer.fallback(100)) {
      final String id = candidate.itemId();
      if (!soldOut.contains(id) && !left.contains(id) && !id.equals(item(0))) {
        popular.add(id);
      }
    }
    assertThat(list.subList(left.size(), LENGTH))
        .isEqualTo(popular.subList(0, LENGTH - left.size()));
  }

  @Test
  void shouldLeaveTheListShortWithoutBackfill() {
    start(rules -> rules.withBackfill(false));
    final Set<String> soldOut = Set.copyOf(top.subList(0, 15));
    for (final String id : soldOut) {
      put(listed(id).setInStock(false).build());
    }

    assertThat(listAfter(view("s1", "e1", item(0), T0))).isEqualTo(expected(soldOut));
  }

  @Test
  void shouldRaiseABoostedItemAndLowerABuriedOne() {
    start(
        rules ->
            rules.withCampaigns(
                List.of(
                    new CampaignSpec(CampaignSpec.BRAND, "Boosted", 1000f),
                    new CampaignSpec("attr.clearance", "yes", -1000f))));
    final List<String> plain = expected(Set.of());
    final String boosted = plain.get(7);
    final String buried = plain.get(0);
    put(listed(boosted).setBrand("Boosted").build());
    put(listed(buried).setAttributes(Map.of("clearance", "yes")).build());

    final List<String> list = listAfter(view("s1", "e1", item(0), T0));

    assertThat(list.get(0)).isEqualTo(boosted);
    assertThat(list).doesNotContain(buried).hasSize(LENGTH);
  }

  @Test
  void shouldServeAVariantWithTheChainConfiguredForIt() {
    start(rules -> rules.withVariantChains(Map.of(ScorerVariants.DEFAULT, List.of())));
    final String soldOut = expected(Set.of()).get(0);
    put(listed(soldOut).setInStock(false).build());

    // no rules for this variant: the model's top-10, seen and sold-out items included
    assertThat(listAfter(view("s1", "e1", item(0), T0))).isEqualTo(top.subList(0, LENGTH));
  }
}
