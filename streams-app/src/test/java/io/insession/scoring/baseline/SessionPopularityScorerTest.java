package io.insession.scoring.baseline;

import static io.insession.scoring.baseline.Fixtures.session;
import static io.insession.scoring.baseline.Fixtures.sessions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.insession.scoring.Candidate;
import io.insession.scoring.StepRequest;
import io.insession.scoring.StepResult;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionPopularityScorerTest {

  // training clicks: P 3, Q 2, A 1, B 1, C 1 (8 in all)
  private static final SessionPopularityScorer S_POP =
      Baselines.sessionPopularity(
          sessions(session("1", "P", "P", "P", "Q", "Q"), session("2", "A", "B", "C")));

  @Test
  void shouldRankTheSessionsItemsByCountThenRecencyThenFillWithPopularItems() {
    // the session: A B A C U, then the event B (U is not a training item)
    final StepResult result =
        S_POP.step(new StepRequest(new byte[0], List.of("A", "B", "A", "C", "U"), "B"));

    // B twice (last at position 5), A twice (last at 2), C once; U never; then P, Q by clicks
    assertThat(result.candidates())
        .extracting(Candidate::itemId)
        .containsExactly("B", "A", "C", "P", "Q");
    // 1 + count + (last position + 1) / (positions + 1), positions = 6
    assertThat(result.candidates())
        .extracting(Candidate::score)
        .containsExactly(
            (float) (1 + 2 + 6 / 7.0),
            (float) (1 + 2 + 3 / 7.0),
            (float) (1 + 1 + 4 / 7.0),
            3 / 8f,
            2 / 8f);
    assertThat(result.itemKnown()).isTrue();
    assertThat(result.state()).isEmpty();
  }

  @Test
  void shouldPreferTheMoreRecentItemOnEqualCounts() {
    final StepResult result = S_POP.step(new StepRequest(new byte[0], List.of("C", "A"), "B"));

    assertThat(result.candidates().subList(0, 3))
        .extracting(Candidate::itemId)
        .containsExactly("B", "A", "C");
  }

  @Test
  void shouldAnswerAnUnknownFirstItemWithThePopularItemsAsUnknown() {
    final StepResult result = S_POP.step(new StepRequest(new byte[0], List.of(), "U"));

    assertThat(result.itemKnown()).isFalse();
    assertThat(result.candidates())
        .extracting(Candidate::itemId)
        .containsExactly("P", "Q", "A", "B", "C");
    assertThat(result.candidates().get(0).score()).isCloseTo(3 / 8f, within(1e-7f));
  }
}
