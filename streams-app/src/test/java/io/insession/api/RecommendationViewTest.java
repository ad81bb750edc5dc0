package io.insession.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecommendationViewTest {

  private final ObjectMapper mapper = new ObjectMapper();

  @Test
  void shouldRankItemsInListOrderStartingAtOne() {
    final RecommendationView view =
        RecommendationView.from(TestLists.list("r1", "s1", "i-9", "i-3", "i-5"));

    assertThat(view.items())
        .extracting(RecommendationView.Item::itemId, RecommendationView.Item::rank)
        .containsExactly(tuple("i-9", 1), tuple("i-3", 2), tuple("i-5", 3));
    assertThat(view.items().get(0).score()).isEqualTo(0.9f);
  }

  @Test
  void shouldCopyEveryFieldAndFormatTimesAsIso8601() {
    final RecommendationView view = RecommendationView.from(TestLists.list("r1", "s1", "i-1"));

    assertThat(view.recommendationId()).isEqualTo("r1");
    assertThat(view.sessionId()).isEqualTo("s1");
    assertThat(view.modelName()).isEqualTo("gru4rec");
    assertThat(view.modelVersion()).isEqualTo("2026-11-23.1");
    assertThat(view.variant()).isEqualTo("B");
    assertThat(view.fallback()).isFalse();
    assertThat(view.triggerEventId()).isEqualTo("ev-r1");
    assertThat(view.triggerEventTime()).isEqualTo("2026-11-23T10:15:30.123Z");
    assertThat(view.emittedAt()).isEqualTo("2026-11-23T10:15:30.140Z");
  }

  @Test
  void shouldSerializeToTheDocumentedJsonShape() throws Exception {
    final String json =
        mapper.writeValueAsString(RecommendationView.from(TestLists.list("r1", "s1", "a", "b")));
    final JsonNode node = mapper.readTree(json);

    final List<String> fields = new ArrayList<>();
    node.fieldNames().forEachRemaining(fields::add);
    assertThat(fields)
        .containsExactly(
            "recommendationId",
            "sessionId",
            "items",
            "modelName",
            "modelVersion",
            "variant",
            "fallback",
            "triggerEventId",
            "triggerEventTime",
            "emittedAt");
    final List<String> itemFields = new ArrayList<>();
    node.get("items").get(0).fieldNames().forEachRemaining(itemFields::add);
    assertThat(itemFields).containsExactly("itemId", "score", "rank");
    assertThat(node.get("items").get(1).get("rank").asInt()).isEqualTo(2);
    assertThat(node.get("items").get(0).get("score").isNumber()).isTrue();
    assertThat(node.get("fallback").isBoolean()).isTrue();
    assertThat(node.get("emittedAt").asText()).isEqualTo("2026-11-23T10:15:30.140Z");
  }

  @Test
  void shouldServeAnEmptyListAsEmptyItems() {
    final RecommendationView view = RecommendationView.from(TestLists.list("r1", "s1"));
    assertThat(view.items()).isEmpty();
  }
}
