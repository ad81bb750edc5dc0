package io.insession.evaluation;

import io.insession.scoring.SessionScorer;
import java.util.Objects;

/**
 * A scorer under evaluation with the label it has in reports.
 *
 * @param name the column label (e.g. {@code V-SKNN}, {@code GRU4Rec})
 * @param scorer the scorer; the evaluation does not close it
 */
public record NamedScorer(String name, SessionScorer scorer) {
  public NamedScorer {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(scorer, "scorer");
  }
}
