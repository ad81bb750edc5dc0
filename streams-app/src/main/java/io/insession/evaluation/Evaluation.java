package io.insession.evaluation;

import io.insession.data.Click;
import io.insession.evaluation.EvaluationReport.ModelResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Offline next-item evaluation of several scorers on one test set: the entry point for {@code
 * insession evaluate}.
 *
 * <pre>{@code
 * Map<String, List<Click>> train = SessionFiles.readSessions(trainFile);
 * Map<String, List<Click>> test = SessionFiles.readSessions(testFile);
 * Baselines.All baselines = Baselines.trainAll(train);
 * EvaluationReport report = Evaluation.run(
 *     List.of(new NamedScorer("POP", baselines.popularity()),
 *             new NamedScorer("V-SKNN", baselines.vsknn())),
 *     Catalog.fromTraining(train), test, EvaluationOptions.defaults().withDataset("diginetica"));
 * System.out.print(ReportTable.render(report));
 * Files.writeString(jsonFile, report.toJson());
 * }</pre>
 */
public final class Evaluation {

  private Evaluation() {}

  /**
   * Evaluates the scorers one after the other (each with all threads) on the test sessions.
   *
   * @param scorers the models, in report order (not closed here)
   * @param catalog the training items and their click counts
   * @param test test sessions: session id to its clicks in order
   */
  public static EvaluationReport run(
      final List<NamedScorer> scorers,
      final Catalog catalog,
      final Map<String, List<Click>> test,
      final EvaluationOptions options) {
    final NextItemEvaluator evaluator = new NextItemEvaluator(test, catalog, options);
    final List<ModelResult> results = new ArrayList<>(scorers.size());
    for (final NamedScorer scorer : scorers) {
      results.add(evaluator.evaluate(scorer));
    }
    return new EvaluationReport(evaluator.dataset(), options.cutoffs(), results);
  }
}
