package io.insession.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.insession.catalog.SyntheticCatalog;
import io.insession.metrics.PrometheusMetrics;
import io.insession.schemas.CatalogItem;
import io.insession.scoring.Candidate;
import io.insession.testing.HttpJson;
import io.insession.trending.Trending;
import io.insession.trending.TrendingLists;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The lookup API's answer for a session with no list yet (the live trending list, else the frozen
 * popularity list, marked as a fallback; {@code ?fallback=none} keeps the 404) and the per-request
 * filters ({@code ?category}, {@code ?min_price}, {@code ?max_price}) with their filling up.
 */
class LookupApiFallbackTest {

  private static final Instant AS_OF = Instant.parse("2026-11-27T10:00:00Z");
  private static final int LENGTH = 3;

  private final StubSource source = new StubSource();
  private final Map<String, Trending> trending = new HashMap<>();
  private final Map<String, CatalogItem> catalog = new HashMap<>();
  private LookupApi api;

  @AfterEach
  void stop() {
    if (api != null) {
      api.close();
    }
  }

  private HttpJson start(final List<Candidate> popular) {
    final TrendingLists lists =
        (scope, count) -> trending.getOrDefault(scope, Trending.empty(scope));
    api =
        LookupApi.start(
            source,
            null,
            PushSettings.defaults(),
            HttpLimits.defaults(),
            0,
            PrometheusMetrics.newRegistry(),
            catalog::get,
            new FallbackLists(lists, popular, LENGTH));
    return new HttpJson(api.port());
  }

  private void trending(final String scope, final String... itemIds) {
    final List<Candidate> items = new ArrayList<>();
    float score = itemIds.length;
    for (final String itemId : itemIds) {
      items.add(new Candidate(itemId, score--));
    }
    trending.put(scope, new Trending(scope, AS_OF, items));
  }

  private void listed(final String itemId, final String price, final String... path) {
    catalog.put(
        itemId,
        CatalogItem.newBuilder(SyntheticCatalog.item(itemId, 1, AS_OF))
            .setCategoryPath(List.of(path))
            .setPrice(price == null ? null : new BigDecimal(price).setScale(4))
            .build());
  }

  private static List<String> itemIds(final JsonNode body) {
    final List<String> ids = new ArrayList<>();
    body.get("items").forEach(item -> ids.add(item.get("itemId").asText()));
    return ids;
  }

  private static List<Integer> ranks(final JsonNode body) {
    final List<Integer> ranks = new ArrayList<>();
    body.get("items").forEach(item -> ranks.add(item.get("rank").asInt()));
    return ranks;
  }

  @Test
  void shouldAnswerAnUnknownSessionWithLiveTrendingMarkedAsAFallback() throws Exception {
    trending("all", "t-1", "t-2", "t-3", "t-4");
    final HttpJson http = start(List.of(new Candidate("p-1", 0.5f)));

    final HttpJson.Answer answer = http.get("/v1/sessions/new-visitor/recommendations");

    assertThat(answer.status()).isEqualTo(200);
    final JsonNode body = answer.body();
    assertThat(body.get("sessionId").asText()).isEqualTo("new-visitor");
    assertThat(body.get("fallback").asBoolean()).isTrue();
    assertThat(body.get("fallbackSource").asText()).isEqualTo("trending");
    assertThat(body.get("scope").asText()).isEqualTo("all");
    assertThat(body.get("asOf").asText()).isEqualTo(AS_OF.toString());
    assertThat(body.get("recommendationId").isNull()).isTrue();
    assertThat(itemIds(body)).containsExactly("t-1", "t-2", "t-3");
    assertThat(ranks(body)).containsExactly(1, 2, 3);
    assertThat(body.get("items").get(0).get("score").floatValue()).isEqualTo(4f);
  }

  @Test
  void shouldAnswerWithTheFrozenPopularityListWhileTrendingIsEmpty() throws Exception {
    final HttpJson http = start(List.of(new Candidate("p-1", 0.5f), new Candidate("p-2", 0.25f)));

    final JsonNode body = http.get("/v1/sessions/new-visitor/recommendations").body();

    assertThat(body.get("fallbackSource").asText()).isEqualTo("popular");
    assertThat(body.get("asOf").isNull()).isTrue();
    assertThat(itemIds(body)).containsExactly("p-1", "p-2");
  }

  @Test
  void shouldKeepThe404WhenAskedOrWhenThereIsNoFallback() throws Exception {
    trending("all", "t-1");
    final HttpJson http = start(List.of());

    final HttpJson.Answer none = http.get("/v1/sessions/new-visitor/recommendations?fallback=none");
    trending.clear();
    final HttpJson.Answer nothing = http.get("/v1/sessions/new-visitor/recommendations");

    assertThat(none.status()).isEqualTo(404);
    assertThat(none.body().get("code").asText()).isEqualTo("NOT_FOUND");
    assertThat(nothing.status()).isEqualTo(404);
  }

  @Test
  void shouldServeTheSessionsOwnListUnchangedWhenItHasOne() throws Exception {
    trending("all", "t-1");
    source.lists.put("s-1", TestLists.list("r-1", "s-1", "i-1", "i-2"));
    final HttpJson http = start(List.of());

    final JsonNode body = http.get("/v1/sessions/s-1/recommendations").body();

    assertThat(body.get("fallback").asBoolean()).isFalse();
    assertThat(body.has("fallbackSource")).isFalse();
    assertThat(itemIds(body)).containsExactly("i-1", "i-2");
  }

  @Test
  void shouldFilterTheListByCategoryAndFillItUpFromTheCategorysTrending() throws Exception {
    listed("i-1", "10", "Shoes");
    listed("i-2", "5", "Books");
    listed("i-3", "50", "Shoes", "Running");
    listed("t-5", "20", "Shoes", "Hiking");
    listed("t-6", "20", "Books");
    trending("category:Shoes", "i-3", "t-5");
    source.lists.put("s-1", TestLists.list("r-1", "s-1", "i-1", "i-2", "i-3", "unlisted"));
    final HttpJson http = start(List.of());

    final JsonNode body = http.get("/v1/sessions/s-1/recommendations?category=Shoes").body();

    // i-2 is a book, 'unlisted' is not in the catalogue; t-5 fills up (i-3 is already in)
    assertThat(itemIds(body)).containsExactly("i-1", "i-3", "t-5");
    assertThat(ranks(body)).containsExactly(1, 2, 3);
    assertThat(body.get("items").get(2).get("backfill").asText()).isEqualTo("trending");
    assertThat(body.get("items").get(0).has("backfill")).isFalse();
    assertThat(body.get("backfilled").asInt()).isEqualTo(1);
    assertThat(body.get("filters").get("category").asText()).isEqualTo("Shoes");
    assertThat(body.get("recommendationId").asText()).isEqualTo("r-1");
  }

  @Test
  void shouldFilterByAPriceRangeInclusiveAndByASubcategory() throws Exception {
    listed("i-1", "10", "Shoes");
    listed("i-2", "5", "Books");
    listed("i-3", "50", "Shoes", "Running");
    listed("i-4", null, "Shoes", "Running");
    source.lists.put("s-1", TestLists.list("r-1", "s-1", "i-1", "i-2", "i-3", "i-4"));
    final HttpJson http = start(List.of());

    final JsonNode prices =
        http.get("/v1/sessions/s-1/recommendations?min_price=10&max_price=50").body();
    final JsonNode running =
        http.get("/v1/sessions/s-1/recommendations?category=Shoes%20%3E%20Running").body();
    final JsonNode cheapRunning =
        http.get("/v1/sessions/s-1/recommendations?category=Shoes%3ERunning&max_price=49.99")
            .body();

    assertThat(itemIds(prices)).containsExactly("i-1", "i-3");
    assertThat(prices.get("filters").get("minPrice").asText()).isEqualTo("10");
    assertThat(prices.get("backfilled").asInt()).isZero();
    assertThat(itemIds(running)).containsExactly("i-3", "i-4");
    assertThat(itemIds(cheapRunning)).isEmpty();
  }

  @Test
  void shouldFilterTheFallbackOfAnUnknownSession() throws Exception {
    listed("t-1", "10", "Shoes");
    listed("t-2", "90", "Shoes");
    listed("t-3", "30", "Shoes");
    trending("all", "x-1");
    trending("category:Shoes", "t-1", "t-2", "t-3");
    final HttpJson http = start(List.of());

    final JsonNode body =
        http.get("/v1/sessions/new-visitor/recommendations?category=Shoes&max_price=50").body();

    assertThat(body.get("fallbackSource").asText()).isEqualTo("trending");
    assertThat(body.get("scope").asText()).isEqualTo("category:Shoes");
    assertThat(itemIds(body)).containsExactly("t-1", "t-3");
  }

  @Test
  void shouldRefuseBadFilterValuesWithAClear400() throws Exception {
    source.lists.put("s-1", TestLists.list("r-1", "s-1", "i-1"));
    final HttpJson http = start(List.of());

    for (final String query :
        List.of(
            "min_price=abc",
            "max_price=-1",
            "min_price=10&max_price=5",
            "category=Shoes%20%3E",
            "category=")) {
      final HttpJson.Answer answer = http.get("/v1/sessions/s-1/recommendations?" + query);
      assertThat(answer.status()).as(query).isEqualTo(400);
      assertThat(answer.body().get("code").asText()).as(query).isEqualTo("BAD_FILTER");
      assertThat(answer.body().get("error").asText()).as(query).isNotBlank();
    }
    final HttpJson.Answer fallback = http.get("/v1/sessions/s-1/recommendations?fallback=maybe");
    assertThat(fallback.status()).isEqualTo(400);
    assertThat(fallback.body().get("code").asText()).isEqualTo("BAD_FALLBACK");
  }

  @Test
  void shouldRefuseFiltersWhenThisInstanceServesNoCatalogue() throws Exception {
    source.lists.put("s-1", TestLists.list("r-1", "s-1", "i-1"));
    api =
        LookupApi.start(
            source,
            null,
            PushSettings.defaults(),
            HttpLimits.defaults(),
            0,
            PrometheusMetrics.newRegistry(),
            null,
            FallbackLists.NONE);

    final HttpJson.Answer answer =
        new HttpJson(api.port()).get("/v1/sessions/s-1/recommendations?category=Shoes");

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body().get("code").asText()).isEqualTo("NO_CATALOG");
  }
}
