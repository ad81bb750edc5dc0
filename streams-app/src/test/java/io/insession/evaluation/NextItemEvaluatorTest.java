package io.insession.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.assertj.core.api.Assertions.within;

import io.insession.config.ExcludeSeenSpec;
import io.insession.data.Click;
import io.insession.data.SessionFiles;
import io.insession.evaluation.EvaluationReport.CutoffMetrics;
import io.insession.evaluation.EvaluationReport.ModelResult;
import io.insession.evaluation.EvaluationReport.Served;
import io.insession.scoring.Candidate;
import io.insession.scoring.ModelInfo;
import io.insession.scoring.OnnxGruScorer;
import io.insession.scoring.SessionScorer;
import io.insession.scoring.StepRequest;
import io.insession.scoring.StepResult;
import io.insession.session.SessionStates;
import io.insession.testing.TestModels;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NextItemEvaluatorTest {

  private static final EvaluationOptions ONE_BY_ONE =
      EvaluationOptions.defaults().withBatchSize(1).withThreads(1).withProgress(false);

  private static OnnxGruScorer gru;
  private static Map<String, List<Click>> yoochoose;

  @BeforeAll
  static void loadGruAndSessions() throws IOException {
    gru = TestModels.tinyGruScorer();
    try (InputStream in =
        NextItemEvaluatorTest.class
            .getClassLoader()
            .getResourceAsStream("evaluation/yoochoose-100k-test-head200.tsv")) {
      yoochoose = SessionFiles.readSessions(in, "yoochoose-100k-test-head200.tsv");
    }
  }

  @AfterAll
  static void closeGru() {
    gru.close();
  }

  private static Map<String, List<Click>> sessions(final String... sessions) {
    return TestSessions.sessions(sessions);
  }

  private static Catalog gruCatalog() {
    final Map<String, Long> counts = new HashMap<>();
    for (int i = 0; i < TestModels.tinyBundle().numItems(); i++) {
      counts.put(TestModels.tinyItemId(i), 1L);
    }
    return Catalog.of(counts);
  }

  @Test
  void shouldStartEachSessionEmptyAndCarryTheStateReturnedByItsPreviousStep() {
    final RecordingScorer scorer = new RecordingScorer();
    final NextItemEvaluator evaluator =
        new NextItemEvaluator(
            sessions("s1:a,b,c,d", "s2:e,f", "s3:g,h,i"),
            Catalog.of(Map.of("a", 1L)),
            EvaluationOptions.defaults().withBatchSize(2).withThreads(1).withProgress(false));

    final ModelResult result = evaluator.evaluate(new NamedScorer("recording", scorer));

    assertThat(scorer.requests).hasSize(3 + 1 + 2);
    for (final StepRequest request : scorer.requests) {
      // the recording scorer's state counts the steps of its session so far
      final int steps = request.state().length == 0 ? 0 : request.state()[0];
      assertThat(steps)
          .as("steps before %s", request.itemId())
          .isEqualTo(request.recentItems().size());
    }
    assertThat(evaluator.dataset().predictions()).isEqualTo(6);
    assertThat(evaluator.dataset().sessions()).isEqualTo(3);
    assertThat(result.fallbackSteps()).isZero();
  }

  @Test
  void shouldPassRecentItemsOldestFirstAndCappedAsTheTopologyDoes() {
    final RecordingScorer scorer = new RecordingScorer();
    final NextItemEvaluator evaluator =
        new NextItemEvaluator(
            sessions("s1:a,b,c,d,e"),
            Catalog.of(Map.of("a", 1L)),
            ONE_BY_ONE.withMaxRecentItems(2));

    evaluator.evaluate(new NamedScorer("recording", scorer));

    assertThat(scorer.requests)
        .extracting(StepRequest::recentItems)
        .containsExactly(List.of(), List.of("a"), List.of("a", "b"), List.of("b", "c"));
    assertThat(scorer.requests).extracting(StepRequest::itemId).containsExactly("a", "b", "c", "d");
  }

  @Test
  void shouldNotServeTheSessionsSeenItemsWithTheServingRules() {
    // the recording scorer proposes the event's item first, then x
    final NextItemEvaluator evaluator =
        new NextItemEvaluator(
            sessions("repeat:a,a", "other:b,x"), Catalog.of(Map.of("a", 1L, "b", 1L)), ONE_BY_ONE);

    final ModelResult result =
        evaluator.evaluate(new NamedScorer("recording", new RecordingScorer()));

    // protocol: a at rank 1, x at rank 2; rules: a is seen (miss), x at rank 1
    assertThat(result.protocol().get(0).recall()).isEqualTo(1.0);
    assertThat(result.protocol().get(0).mrr()).isCloseTo((1 + 0.5) / 2, within(1e-12));
    assertThat(result.served().get(0).overall().get(0).recall()).isEqualTo(0.5);
    assertThat(result.served().get(0).overall().get(0).mrr()).isCloseTo(0.5, within(1e-12));
  }

  @Test
  void shouldSplitTheFiguresIntoRepeatAndExploreTargetsAsWorkedOutByHand() {
    // predictions (event -> target: canned ranking, rank of the target):
    //   s1 a -> b  explore  [x, b, a]     rank 2
    //   s1 b -> a  repeat   [a, b]        rank 1
    //   s1 a -> b  repeat   [x, b, a]     rank 2
    //   s2 c -> d  explore  [x, y, z, d]  rank 4 (beyond K = 3)
    final NextItemEvaluator evaluator =
        new NextItemEvaluator(
            sessions("s1:a,b,a,b", "s2:c,d"),
            Catalog.of(Map.of("a", 1L, "b", 1L, "c", 1L, "d", 1L, "x", 1L, "y", 1L, "z", 1L)),
            ONE_BY_ONE
                .withCutoffs(List.of(3))
                .withExcludeSeen(
                    List.of(
                        ExcludeSeenSpec.OFF,
                        ExcludeSeenSpec.BOUGHT,
                        ExcludeSeenSpec.lastEvents(1),
                        ExcludeSeenSpec.ALL)));

    final ModelResult result = evaluator.evaluate(new NamedScorer("canned", new CannedScorer()));

    assertThat(evaluator.dataset().predictions()).isEqualTo(4);
    assertThat(evaluator.dataset().repeatTargets()).isEqualTo(2);
    assertThat(evaluator.dataset().repeatShare()).isEqualTo(0.5);
    // overall: hits at ranks 2, 1, 2; MRR (1/2 + 1 + 1/2 + 0) / 4
    assertFigures(result.protocol(), 3, 0.75, 0.5);
    // repeat: ranks 1 and 2
    assertFigures(result.repeat(), 2, 1.0, (1 + 0.5) / 2);
    // explore: ranks 2 and 4 (a miss at K = 3)
    assertFigures(result.explore(), 1, 0.5, 0.5 / 2);
    assertThat(result.served())
        .extracting(Served::excludeSeen)
        .containsExactly("off", "bought", "last:1", "all");
    // off, and bought with no purchases in the data: the protocol's figures
    for (final Served served : result.served().subList(0, 2)) {
      assertThat(served.overall()).isEqualTo(result.protocol());
      assertThat(served.repeat()).isEqualTo(result.repeat());
      assertThat(served.explore()).isEqualTo(result.explore());
    }
    // last:1 drops only the event's item: [x, b] rank 2, [a] rank 1, [x, b] rank 2, [x, y, z]
    final Served last1 = result.served().get(2);
    assertFigures(last1.overall(), 3, 0.75, (0.5 + 1 + 0.5) / 4);
    assertFigures(last1.repeat(), 2, 1.0, 0.75);
    assertFigures(last1.explore(), 1, 0.5, 0.25);
    // all drops a and b from s1's lists: [x, b] rank 2, [], [x], [x, y, z]
    final Served all = result.served().get(3);
    assertFigures(all.overall(), 1, 0.25, 0.5 / 4);
    assertFigures(all.repeat(), 0, 0.0, 0.0);
    assertFigures(all.explore(), 1, 0.5, 0.25);
  }

  private static void assertFigures(
      final List<CutoffMetrics> metrics, final long hits, final double recall, final double mrr) {
    assertThat(metrics).hasSize(1);
    assertThat(metrics.get(0).k()).isEqualTo(3);
    assertThat(metrics.get(0).hits()).isEqualTo(hits);
    assertThat(metrics.get(0).recall()).isEqualTo(recall);
    assertThat(metrics.get(0).mrr()).isCloseTo(mrr, within(1e-12));
  }

  @Test
  void shouldStepTheGruExactlyAsManualSteppingPerSessionDoes() {
    final Map<String, StepResult> byEvaluator = Collections.synchronizedMap(new HashMap<>());
    final NextItemEvaluator evaluator =
        new NextItemEvaluator(
            yoochoose,
            gruCatalog(),
            EvaluationOptions.defaults().withBatchSize(64).withThreads(1).withProgress(false));

    evaluator.evaluate(
        new NamedScorer("gru", gru),
        (sessionId, position, result, target) ->
            byEvaluator.put(sessionId + "/" + position, result));

    int compared = 0;
    for (final Map.Entry<String, List<Click>> session : yoochoose.entrySet()) {
      byte[] state = new byte[0];
      List<String> recent = List.of();
      final List<Click> clicks = session.getValue();
      for (int t = 0; t + 1 < clicks.size(); t++) {
        final StepResult manual = gru.step(new StepRequest(state, recent, clicks.get(t).itemId()));
        final StepResult evaluated = byEvaluator.get(session.getKey() + "/" + t);
        assertThat(evaluated.candidates())
            .extracting(Candidate::itemId)
            .containsExactlyElementsOf(
                manual.candidates().stream().map(Candidate::itemId).toList());
        assertThat(gru.stateCodec().decode(evaluated.state()))
            .containsExactly(gru.stateCodec().decode(manual.state()), offset(1e-5f));
        state = manual.state();
        recent = SessionStates.append(recent, clicks.get(t).itemId(), 50);
        compared++;
      }
    }
    assertThat(compared).isEqualTo(byEvaluator.size()).isEqualTo(907 - 200);
  }

  @Test
  void shouldGiveTheSameFiguresInBatchesOnManyThreadsAsOneByOne() {
    final Catalog catalog = gruCatalog();
    final EvaluationOptions batched =
        EvaluationOptions.defaults()
            .withCutoffs(List.of(5, 20))
            .withBatchSize(50)
            .withThreads(2)
            .withProgress(false);

    final ModelResult oneByOne =
        new NextItemEvaluator(yoochoose, catalog, ONE_BY_ONE.withCutoffs(List.of(5, 20)))
            .evaluate(new NamedScorer("gru", gru));
    final ModelResult inBatches =
        new NextItemEvaluator(yoochoose, catalog, batched).evaluate(new NamedScorer("gru", gru));

    assertThat(inBatches.protocol()).isEqualTo(oneByOne.protocol());
    assertThat(inBatches.repeat()).isEqualTo(oneByOne.repeat());
    assertThat(inBatches.explore()).isEqualTo(oneByOne.explore());
    assertThat(inBatches.served()).isEqualTo(oneByOne.served());
    assertThat(inBatches.fallbackSteps()).isEqualTo(oneByOne.fallbackSteps());
    assertThat(oneByOne.protocol().get(1).recall()).isGreaterThan(0.3);
  }

  @Test
  void shouldCountTargetsOutsideTheCatalogAsMisses() {
    final NextItemEvaluator evaluator =
        new NextItemEvaluator(sessions("s:a,zzz"), Catalog.of(Map.of("a", 1L)), ONE_BY_ONE);

    final ModelResult result =
        evaluator.evaluate(new NamedScorer("recording", new RecordingScorer()));

    assertThat(evaluator.dataset().unknownTargets()).isEqualTo(1);
    assertThat(result.protocol().get(0).hits()).isZero();
  }

  /** A fixed ranking per event item, best first; no state. */
  private static final class CannedScorer implements SessionScorer {
    private static final Map<String, List<String>> RANKINGS =
        Map.of(
            "a", List.of("x", "b", "a"),
            "b", List.of("a", "b"),
            "c", List.of("x", "y", "z", "d"));

    @Override
    public ModelInfo model() {
      return new ModelInfo("canned", "1");
    }

    @Override
    public StepResult step(final StepRequest request) {
      final List<String> items = RANKINGS.get(request.itemId());
      final List<Candidate> ranked = new ArrayList<>(items.size());
      for (int i = 0; i < items.size(); i++) {
        ranked.add(new Candidate(items.get(i), 1f - i / 10f));
      }
      return new StepResult(new byte[0], ranked, true);
    }

    @Override
    public List<Candidate> fallback(final int count) {
      return List.of();
    }

    @Override
    public void close() {
      // nothing
    }
  }

  /**
   * Proposes the event's item (score 1) then x (0.5); its state is one byte counting the session's
   * steps; records every request.
   */
  private static final class RecordingScorer implements SessionScorer {
    private final List<StepRequest> requests = Collections.synchronizedList(new ArrayList<>());

    @Override
    public ModelInfo model() {
      return new ModelInfo("recording", "1");
    }

    @Override
    public StepResult step(final StepRequest request) {
      requests.add(request);
      final int steps = request.state().length == 0 ? 0 : request.state()[0];
      return new StepResult(
          new byte[] {(byte) (steps + 1)},
          List.of(new Candidate(request.itemId(), 1f), new Candidate("x", 0.5f)),
          true);
    }

    @Override
    public List<Candidate> fallback(final int count) {
      return List.of();
    }

    @Override
    public void close() {
      // nothing
    }
  }
}
