package io.insession.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.insession.catalog.SyntheticCatalog;
import io.insession.metrics.PrometheusMetrics;
import io.insession.schemas.CatalogItem;
import io.insession.testing.HttpJson;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code ?include=items}: each item of the list with its catalogue record. */
class LookupApiCatalogTest {

  private static final CatalogItem I7 =
      SyntheticCatalog.item("i-7", 1, Instant.parse("2026-11-27T00:00:00Z"));

  @Test
  void shouldAddEachItemsCatalogueRecordWhenAskedAndNullForAnUnlistedOne() throws Exception {
    final StubSource source = new StubSource();
    source.lists.put("s-1", TestLists.list("r-1", "s-1", "i-7", "i-2"));
    final Map<String, CatalogItem> catalog = Map.of("i-7", I7);
    try (LookupApi api =
        LookupApi.start(
            source,
            null,
            PushSettings.defaults(),
            HttpLimits.defaults(),
            0,
            PrometheusMetrics.newRegistry(),
            catalog::get)) {
      final HttpJson http = new HttpJson(api.port());

      final JsonNode items =
          http.get("/v1/sessions/s-1/recommendations?include=items").body().get("items");
      final JsonNode plain = http.get("/v1/sessions/s-1/recommendations").body().get("items");

      assertThat(items.get(0).get("itemId").asText()).isEqualTo("i-7");
      assertThat(items.get(0).get("item").get("title").asText()).isEqualTo("Synthetic item i-7");
      assertThat(items.get(0).get("item").get("synthetic").asBoolean()).isTrue();
      assertThat(items.get(0).get("item").get("currency").asText()).isEqualTo("EUR");
      assertThat(items.get(1).get("item").isNull()).isTrue();
      assertThat(plain.get(0).has("item")).isFalse();
    }
  }

  @Test
  void shouldAnswerNoCatalogWhenThisInstanceServesNone() throws Exception {
    final StubSource source = new StubSource();
    source.lists.put("s-1", TestLists.list("r-1", "s-1", "i-7"));
    try (LookupApi api = LookupApi.start(source, 0)) {
      final HttpJson.Answer answer =
          new HttpJson(api.port()).get("/v1/sessions/s-1/recommendations?include=items");

      assertThat(answer.status()).isEqualTo(400);
      assertThat(answer.body().get("code").asText()).isEqualTo("NO_CATALOG");
    }
  }
}
