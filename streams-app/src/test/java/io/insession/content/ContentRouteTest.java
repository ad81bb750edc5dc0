package io.insession.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.insession.schemas.CatalogItem;
import io.insession.scoring.Candidate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The content route on a tiny catalogue whose neighbours are worked out by hand (the weights in the
 * comments: {@code ln(1 + 6 / items with the token)}; a token only one item has weighs 0).
 */
class ContentRouteTest {

  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
  private static final Instant OLD = NOW.minus(Duration.ofDays(100));
  private static final Duration AGE = Duration.ofDays(7);
  private static final int LENGTH = 10;

  // c:shoes 4 items -> ln 2.5 = 0.9163; c:shoes>running 3 -> ln 3 = 1.0986; b:acme 3 -> 1.0986;
  // t:trail 2 -> ln 4 = 1.3863; t:runner 3 -> 1.0986; c:garden, c:garden>tools, b:initech,
  // t:garden 2 each -> 1.3863; every other token 1 item -> 0
  private static final double R1_TOTAL = 0.9163 + 1.0986 + 1.0986 + 1.3863 + 1.0986;
  private static final double GARDEN_TOTAL = 4 * 1.3863;

  private final Map<String, CatalogItem> items = new HashMap<>();
  private ContentIndex index;

  private static CatalogItem item(
      final String id,
      final String title,
      final List<String> category,
      final String brand,
      final Instant listed) {
    return CatalogItem.newBuilder()
        .setItemId(id)
        .setTitle(title)
        .setCategoryPath(category)
        .setBrand(brand)
        .setFirstSeen(listed)
        .setSynthetic(true)
        .build();
  }

  private void put(final CatalogItem item) {
    index.changed(item.getItemId(), items.put(item.getItemId(), item), item);
  }

  @BeforeEach
  void tinyCatalogue() {
    index = new ContentIndex(50);
    put(item("r1", "Trail Runner Pro", List.of("Shoes", "Running"), "Acme", OLD));
    put(item("r2", "Road Runner Lite", List.of("Shoes", "Running"), "Globex", OLD));
    put(
        item(
            "r3", "Trail Runner Max", List.of("Shoes", "Running"), "Acme", NOW.minusSeconds(3600)));
    put(item("h1", "Hiking Boot", List.of("Shoes", "Hiking"), "Acme", OLD));
    put(item("g1", "Garden Hose", List.of("Garden", "Tools"), "Initech", OLD));
    put(item("g2", "Garden Rake", List.of("Garden", "Tools"), "Initech", NOW.minusSeconds(3600)));
  }

  private ContentRoute route(final Instant now, final ContentSettings settings) {
    return new ContentRoute(index, items::get, Clock.fixed(now, ZoneOffset.UTC), settings, LENGTH);
  }

  private static ContentSettings settings(final int slots, final double minSimilarity) {
    return new ContentSettings(AGE.toMillis(), slots, minSimilarity, 3, 50);
  }

  /** c0..c9 scored 10 down to 1. */
  private static List<Candidate> model() {
    final List<Candidate> list = new ArrayList<>();
    for (int i = 0; i < LENGTH; i++) {
      list.add(new Candidate("c" + i, LENGTH - i));
    }
    return list;
  }

  private static List<String> ids(final List<Candidate> list) {
    return list.stream().map(Candidate::itemId).toList();
  }

  @Test
  void shouldFindTheHandCheckedNeighboursOfOneItem() {
    final Map<String, Double> query = new HashMap<>();
    for (final String token : ItemTokens.of(items.get("r1"))) {
      query.put(token, 1.0);
    }

    final List<ContentIndex.Neighbour> found = index.neighbours(query, Set.of("r1"), 0);

    assertThat(found).extracting(ContentIndex.Neighbour::itemId).containsExactly("r3", "r2", "h1");
    // r3 carries every weighted token of r1; r2 c:shoes, c:shoes>running, t:runner; h1 c:shoes,
    // b:acme
    assertThat(found.get(0).similarity()).isCloseTo(1.0, within(1e-3));
    assertThat(found.get(1).similarity())
        .isCloseTo((0.9163 + 1.0986 + 1.0986) / R1_TOTAL, within(1e-3));
    assertThat(found.get(2).similarity()).isCloseTo((0.9163 + 1.0986) / R1_TOTAL, within(1e-3));
  }

  @Test
  void shouldTokenizeCategoryPrefixesBrandAndTitleWords() {
    assertThat(ItemTokens.of(items.get("r1")))
        .containsExactly("c:shoes", "c:shoes>running", "b:acme", "t:trail", "t:runner", "t:pro");
  }

  @Test
  void shouldPutAJustListedAlikeNewItemAtTheTopOfTheModelsList() {
    final List<Candidate> list = route(NOW, settings(3, 0.25)).blend(model(), List.of("r1"), false);

    // r3: similarity 1, freshness 1 - 1 h / 7 d: rank floor((1 - 0.994) * 10) = 0; r2, h1 are old
    assertThat(ids(list))
        .containsExactly("r3", "c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9");
    assertThat(list.get(0).score()).isGreaterThan(list.get(1).score());
  }

  @Test
  void shouldPlaceANewItemHalfwayThroughItsAgeInTheMiddle() {
    // r3 listed 1 h before NOW; 3.5 d later its freshness is 1 - 3.5 d / 7 d + 1 h / 7 d = 0.506
    final Instant later = NOW.minusSeconds(3600).plus(Duration.ofHours(84));

    final List<Candidate> list =
        route(later, settings(3, 0.25)).blend(model(), List.of("r1"), false);

    // blend 0.5 -> rank floor(0.5 * 10) = 5: after c4, scored between c4 (6) and c5 (5)
    assertThat(ids(list).indexOf("r3")).isEqualTo(5);
    assertThat(list.get(5).score()).isEqualTo(5.5f);
  }

  @Test
  void shouldNotBlendAnItemPastTheNewItemAgeOrBeyondTheSlots() {
    assertThat(ids(route(NOW.plus(AGE), settings(3, 0.25)).blend(model(), List.of("r1"), false)))
        .doesNotContain("r3")
        .hasSize(LENGTH);
    assertThat(ids(route(NOW, settings(0, 0.25)).blend(model(), List.of("r1"), false)))
        .isEqualTo(ids(model()));
  }

  @Test
  void shouldNotBlendANewItemLessSimilarThanTheMinimum() {
    // after r2 alone: r3 carries c:shoes, c:shoes>running and t:runner, all of r2's weighted tokens
    assertThat(ids(route(NOW, settings(3, 0.25)).blend(model(), List.of("r2"), false)))
        .contains("r3");
    // after r2 then g1 (weight 1; r2 1/2): r3 (1/2 x 3.1135) / (5.5452 + 1/2 x 3.1135) = 0.219,
    // g2 5.5452 / 7.1020 = 0.781
    final double total = GARDEN_TOTAL + (0.9163 + 1.0986 + 1.0986) / 2;
    assertThat(GARDEN_TOTAL / total).isCloseTo(0.781, within(1e-3));
    assertThat(ids(route(NOW, settings(3, 0.25)).blend(model(), List.of("r2", "g1"), false)))
        .contains("g2")
        .doesNotContain("r3");
    assertThat(ids(route(NOW, settings(3, 0.8)).blend(model(), List.of("r2", "g1"), false)))
        .isEqualTo(ids(model()));
  }

  @Test
  void shouldMakeTheListContentBasedWhenTheModelDidNotKnowTheItem() {
    final List<Candidate> popular =
        List.of(new Candidate("p0", 50), new Candidate("p1", 40), new Candidate("p2", 30));

    // g2 (latest, weight 1) and r1 (weight 1/2): g1 carries all of g2's tokens, r3 all of r1's
    final List<Candidate> list =
        route(NOW, settings(3, 0.25)).blend(popular, List.of("r1", "g2"), true);

    final double total = GARDEN_TOTAL + R1_TOTAL / 2;
    assertThat(ids(list)).containsExactly("g1", "r3", "p0", "p1", "p2");
    assertThat((double) list.get(0).score()).isCloseTo(50 + GARDEN_TOTAL / total, within(1e-3));
    assertThat((double) list.get(1).score()).isCloseTo(50 + R1_TOTAL / 2 / total, within(1e-3));
  }

  @Test
  void shouldLeaveTheCandidatesWhenTheCatalogueListsNoneOfTheSessionsItems() {
    assertThat(route(NOW, settings(3, 0.25)).blend(model(), List.of("unknown"), true))
        .isEqualTo(model());
  }

  @Test
  void shouldForgetADeletedItemAndFollowAChangedOne() {
    index.changed("r3", items.remove("r3"), null);
    assertThat(ids(route(NOW, settings(3, 0.25)).blend(model(), List.of("r1"), false)))
        .doesNotContain("r3");

    // r2 moves to the garden: now a neighbour of g1, no longer of r1
    final CatalogItem moved =
        item("r2", "Road Runner Lite", List.of("Garden", "Tools"), "Globex", NOW);
    put(moved);
    assertThat(index.items("c:shoes>running"))
        .extracting(ContentIndex.Entry::itemId)
        .containsExactly("r1");
    assertThat(ids(route(NOW, settings(3, 0.25)).blend(model(), List.of("g1"), false)))
        .contains("r2", "g2");
  }

  @Test
  void shouldKeepOnlyTheMostRecentlyListedItemsPerToken() {
    final ContentIndex small = new ContentIndex(2);
    small.reloaded(items.values().iterator());

    assertThat(small.items("c:shoes"))
        .extracting(ContentIndex.Entry::itemId)
        .containsExactly("r3", "h1");
    assertThat(small.size()).isEqualTo(6);
    // the weight still counts every item with the token: 4 of 6
    assertThat(small.weight("c:shoes")).isCloseTo(Math.log(2.5), within(1e-9));
  }
}
