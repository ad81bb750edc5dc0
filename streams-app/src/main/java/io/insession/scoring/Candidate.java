package io.insession.scoring;

import java.util.Objects;

/** One item proposed by a scorer with its score (higher is better, comparable within a list). */
public record Candidate(String itemId, float score) {
  public Candidate {
    Objects.requireNonNull(itemId, "itemId");
  }
}
