package io.insession.experiments;

import io.insession.schemas.RecommendationList;
import io.insession.schemas.WeblogEvent;

/** What the attribution processor reads: a session's valid events and the lists it was shown. */
sealed interface ExperimentInput {

  /** A valid weblog event of the session. */
  record Event(WeblogEvent event) implements ExperimentInput {}

  /** A list emitted for the session; {@code list} null: the session was forgotten (tombstone). */
  record Shown(RecommendationList list) implements ExperimentInput {}

  static ExperimentInput event(final WeblogEvent event) {
    return new Event(event);
  }

  static ExperimentInput shown(final RecommendationList list) {
    return new Shown(list);
  }
}
