package io.insession.api;

import io.insession.schemas.RecommendationList;
import io.insession.schemas.ScoredItem;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Builds {@link RecommendationList} values for tests. */
final class TestLists {

  static final Instant TRIGGER_TIME = Instant.parse("2026-11-23T10:15:30.123Z");
  static final Instant EMITTED_AT = Instant.parse("2026-11-23T10:15:30.140Z");

  private TestLists() {}

  /** A list for {@code sessionId} of the given items, scores falling from 0.9 by 0.1. */
  static RecommendationList list(
      final String recommendationId, final String sessionId, final String... itemIds) {
    final List<ScoredItem> items = new ArrayList<>();
    float score = 0.9f;
    for (final String itemId : itemIds) {
      items.add(ScoredItem.newBuilder().setItemId(itemId).setScore(score).build());
      score -= 0.1f;
    }
    return RecommendationList.newBuilder()
        .setRecommendationId(recommendationId)
        .setSessionId(sessionId)
        .setItems(items)
        .setModelName("gru4rec")
        .setModelVersion("2026-11-23.1")
        .setVariant("B")
        .setFallback(false)
        .setTriggerEventId("ev-" + recommendationId)
        .setTriggerEventTime(TRIGGER_TIME)
        .setEmittedAt(EMITTED_AT)
        .build();
  }
}
