package io.insession.api;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.ScoredItem;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON shape of one session's latest list, as {@code GET
 * /v1/sessions/{sessionId}/recommendations} returns it. Timestamps are ISO-8601 strings in UTC
 * ({@link Instant#toString()}); ranks start at 1 (best first).
 *
 * @param recommendationId unique id of the list
 * @param sessionId the session it was made for
 * @param items the ranked items, best first
 * @param modelName name of the model that scored it
 * @param modelVersion version of that model
 * @param variant the A/B variant of the session
 * @param fallback true when the cold-start fallback was served
 * @param triggerEventId id of the weblog event that triggered the list
 * @param triggerEventTime when that event happened
 * @param emittedAt when the topology emitted the list
 */
@JsonPropertyOrder({
  "recommendationId",
  "sessionId",
  "items",
  "modelName",
  "modelVersion",
  "variant",
  "fallback",
  "triggerEventId",
  "triggerEventTime",
  "emittedAt"
})
public record RecommendationView(
    String recommendationId,
    String sessionId,
    List<Item> items,
    String modelName,
    String modelVersion,
    String variant,
    boolean fallback,
    String triggerEventId,
    String triggerEventTime,
    String emittedAt) {

  private static final ObjectWriter JSON = new ObjectMapper().writerFor(RecommendationView.class);

  /** Copies the item list. */
  public RecommendationView {
    items = List.copyOf(items);
  }

  /**
   * One ranked item.
   *
   * @param itemId the item
   * @param score the model's score, comparable only within one list
   * @param rank the 1-based position in the list
   */
  @JsonPropertyOrder({"itemId", "score", "rank"})
  public record Item(String itemId, float score, int rank) {}

  /**
   * The JSON the lookup API answers for {@code list}, as bytes: computed once when a list arrives,
   * so that a GET only copies bytes.
   */
  public static byte[] toJson(final RecommendationList list) {
    try {
      return JSON.writeValueAsBytes(from(list));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "cannot write the JSON of list " + list.getRecommendationId(), e);
    }
  }

  /** The view of an Avro {@link RecommendationList}; ranks follow the list order. */
  public static RecommendationView from(final RecommendationList list) {
    final List<Item> items = new ArrayList<>(list.getItems().size());
    int rank = 1;
    for (final ScoredItem item : list.getItems()) {
      items.add(new Item(item.getItemId(), item.getScore(), rank));
      rank++;
    }
    return new RecommendationView(
        list.getRecommendationId(),
        list.getSessionId(),
        items,
        list.getModelName(),
        list.getModelVersion(),
        list.getVariant(),
        list.getFallback(),
        list.getTriggerEventId(),
        iso(list.getTriggerEventTime()),
        iso(list.getEmittedAt()));
  }

  private static String iso(final Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
