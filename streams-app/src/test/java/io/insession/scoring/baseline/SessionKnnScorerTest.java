package io.insession.scoring.baseline;

import static io.insession.scoring.baseline.Fixtures.session;
import static io.insession.scoring.baseline.Fixtures.sessions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.insession.data.Click;
import io.insession.scoring.Candidate;
import io.insession.scoring.StepRequest;
import io.insession.scoring.StepResult;
import io.insession.scoring.baseline.SessionKnnScorer.Mode;
import io.insession.scoring.baseline.SessionKnnScorer.Settings;
import io.insession.scoring.baseline.SessionKnnScorer.Similarity;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SessionKnnScorerTest {

  // The current session is X then Y. Session 1 shares X, session 2 shares Y, session 3 both.
  private static final Map<String, List<Click>> TRAIN =
      sessions(session("1", "X", "P"), session("2", "Y", "Q"), session("3", "X", "Y", "R"));

  private static final StepRequest X_THEN_Y = new StepRequest(new byte[0], List.of("X"), "Y");

  private static Map<String, Float> scores(final StepResult result) {
    final Map<String, Float> scores = new LinkedHashMap<>();
    for (final Candidate candidate : result.candidates()) {
      scores.put(candidate.itemId(), candidate.score());
    }
    return scores;
  }

  private static Settings settings(final Mode mode, final Similarity similarity) {
    return new Settings(mode, similarity, 100, 1000, 100);
  }

  @Test
  void shouldScoreItemsBySummedCosineOfNeighbourSessionsInSknn() {
    final SessionKnnScorer sknn =
        SessionKnnScorer.train(TRAIN, settings(Mode.SKNN, Similarity.COSINE));

    final Map<String, Float> scores = scores(sknn.step(X_THEN_Y));

    // cosine of {X,Y} with {X,P} and {Y,Q}: 1 / (sqrt 2 * sqrt 2); with {X,Y,R}: 2 / (sqrt 2 * sqrt
    // 3)
    final double half = 0.5;
    final double third = 2 / Math.sqrt(6);
    assertThat(scores.get("X")).isCloseTo((float) (half + third), within(1e-6f));
    assertThat(scores.get("Y")).isCloseTo((float) (half + third), within(1e-6f));
    assertThat(scores.get("R")).isCloseTo((float) third, within(1e-6f));
    assertThat(scores.get("P")).isCloseTo((float) half, within(1e-6f));
    assertThat(scores.get("Q")).isCloseTo((float) half, within(1e-6f));
  }

  @Test
  void shouldWeightTheLaterItemMoreInVsknn() {
    final SessionKnnScorer vsknn =
        SessionKnnScorer.train(TRAIN, settings(Mode.V_SKNN, Similarity.COSINE));

    final StepResult result = vsknn.step(X_THEN_Y);

    // weights X = 1/2, Y = 2/2; |w| = sqrt(1.25)
    final double norm = Math.sqrt(1.25);
    final double s1 = 0.5 / (norm * Math.sqrt(2));
    final double s2 = 1.0 / (norm * Math.sqrt(2));
    final double s3 = 1.5 / (norm * Math.sqrt(3));
    assertThat(result.candidates())
        .extracting(Candidate::itemId)
        .containsExactly("Y", "X", "R", "Q", "P");
    final Map<String, Float> scores = scores(result);
    assertThat(scores.get("Y")).isCloseTo((float) (s2 + s3), within(1e-6f));
    assertThat(scores.get("X")).isCloseTo((float) (s1 + s3), within(1e-6f));
    assertThat(scores.get("Q")).isCloseTo((float) s2, within(1e-6f));
    assertThat(scores.get("P")).isCloseTo((float) s1, within(1e-6f));
  }

  @Test
  void shouldNotNormaliseByNeighbourLengthWithWeightedOverlap() {
    final SessionKnnScorer vsknn = SessionKnnScorer.train(TRAIN, Settings.defaults(Mode.V_SKNN));

    final Map<String, Float> scores = scores(vsknn.step(X_THEN_Y));

    // weighted overlap / 2 distinct items: session 1: 0.25, session 2: 0.5, session 3: 0.75
    assertThat(vsknn.settings().similarity()).isEqualTo(Similarity.WEIGHTED_OVERLAP);
    assertThat(scores.get("Y")).isCloseTo(1.25f, within(1e-6f));
    assertThat(scores.get("X")).isCloseTo(1.0f, within(1e-6f));
    assertThat(scores.get("R")).isCloseTo(0.75f, within(1e-6f));
    assertThat(scores.get("Q")).isCloseTo(0.5f, within(1e-6f));
    assertThat(scores.get("P")).isCloseTo(0.25f, within(1e-6f));
  }

  @Test
  void shouldWeightARepeatedItemByItsLastPosition() {
    final SessionKnnScorer vsknn =
        SessionKnnScorer.train(TRAIN, settings(Mode.V_SKNN, Similarity.WEIGHTED_OVERLAP));

    // X at positions 1 and 3 of 3 weighs 3/3, Y at 2 weighs 2/3: session 1 now beats session 2
    final Map<String, Float> scores =
        scores(vsknn.step(new StepRequest(new byte[0], List.of("X", "Y"), "X")));

    assertThat(scores.get("P")).isCloseTo(1f / 2f, within(1e-6f));
    assertThat(scores.get("Q")).isCloseTo((2f / 3f) / 2f, within(1e-6f));
  }

  @Test
  void shouldKeepOnlyTheKMostSimilarSessions() {
    final SessionKnnScorer sknn =
        SessionKnnScorer.train(TRAIN, new Settings(Mode.SKNN, Similarity.COSINE, 1, 1000, 100));

    assertThat(sknn.step(X_THEN_Y).candidates())
        .extracting(Candidate::itemId)
        .containsExactlyInAnyOrder("X", "Y", "R");
  }

  @Test
  void shouldSampleTheMostRecentSessionsByNumericSessionId() {
    // file order 10, 2, 30; numerically 2 < 10 < 30 (as text "10" < "2")
    final Map<String, List<Click>> train =
        sessions(session("10", "X", "A"), session("2", "X", "B"), session("30", "X", "C"));
    final SessionKnnScorer sknn =
        SessionKnnScorer.train(train, new Settings(Mode.SKNN, Similarity.COSINE, 100, 2, 100));

    final StepResult result = sknn.step(new StepRequest(new byte[0], List.of(), "X"));

    assertThat(result.candidates())
        .extracting(Candidate::itemId)
        .containsExactlyInAnyOrder("X", "A", "C");
  }

  @Test
  void shouldSampleTheLastSessionsInFileOrderWhenIdsAreNotNumeric() {
    final Map<String, List<Click>> train =
        sessions(session("c", "X", "C"), session("a", "X", "A"), session("b", "X", "B"));
    final SessionKnnScorer sknn =
        SessionKnnScorer.train(train, new Settings(Mode.SKNN, Similarity.COSINE, 100, 2, 100));

    final StepResult result = sknn.step(new StepRequest(new byte[0], List.of(), "X"));

    assertThat(result.candidates())
        .extracting(Candidate::itemId)
        .containsExactlyInAnyOrder("X", "A", "B");
  }

  @Test
  void shouldSampleAmongSessionsSharingAnyItemOfTheSession() {
    // with a sample of 1 the most recent session sharing X or Y is session 3
    final SessionKnnScorer sknn =
        SessionKnnScorer.train(TRAIN, new Settings(Mode.SKNN, Similarity.COSINE, 100, 1, 100));

    assertThat(sknn.step(X_THEN_Y).candidates())
        .extracting(Candidate::itemId)
        .containsExactlyInAnyOrder("X", "Y", "R");
  }

  @Test
  void shouldIgnoreUnknownHistoryItemsButFallBackForAnUnknownEventItem() {
    final SessionKnnScorer sknn = SessionKnnScorer.train(TRAIN, Settings.defaults(Mode.SKNN));

    final StepResult unknownHistory =
        sknn.step(new StepRequest(new byte[0], List.of("zzz", "X"), "Y"));
    final StepResult unknownEvent = sknn.step(new StepRequest(new byte[0], List.of("X"), "zzz"));

    assertThat(unknownHistory.itemKnown()).isTrue();
    assertThat(unknownHistory.candidates()).isEqualTo(sknn.step(X_THEN_Y).candidates());
    assertThat(unknownEvent.itemKnown()).isFalse();
    assertThat(unknownEvent.candidates()).isEqualTo(sknn.fallback(100));
    assertThat(unknownEvent.state()).isEmpty();
  }

  @Test
  void shouldGiveTheSameAnswersFromManyThreads() {
    final SessionKnnScorer vsknn = SessionKnnScorer.train(TRAIN, Settings.defaults(Mode.V_SKNN));
    final List<StepRequest> requests =
        List.of(
            X_THEN_Y,
            new StepRequest(new byte[0], List.of(), "X"),
            new StepRequest(new byte[0], List.of("Y", "Q"), "P"));

    final List<List<Candidate>> sequential =
        IntStream.range(0, 300)
            .mapToObj(i -> vsknn.step(requests.get(i % 3)).candidates())
            .toList();
    final List<List<Candidate>> parallel =
        IntStream.range(0, 300)
            .parallel()
            .mapToObj(i -> vsknn.step(requests.get(i % 3)).candidates())
            .toList();

    assertThat(parallel).isEqualTo(sequential);
  }
}
