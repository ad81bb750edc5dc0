package io.insession.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.insession.evaluation.EvaluationReport.CutoffMetrics;
import io.insession.evaluation.EvaluationReport.Dataset;
import io.insession.evaluation.EvaluationReport.ModelResult;
import io.insession.evaluation.EvaluationReport.Served;
import io.insession.scoring.baseline.Baselines;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvaluationReportTest {

  private static EvaluationReport report() {
    return new EvaluationReport(
        new Dataset("diginetica", 3, 10, 7, 1, 5, 50, 2),
        List.of(10, 20),
        List.of(
            new ModelResult(
                "POP",
                "pop",
                "clicks",
                List.of(
                    new CutoffMetrics(10, 1, 1 / 7.0, 0.05, 0.2, 0.9),
                    new CutoffMetrics(20, 2, 2 / 7.0, 0.06, 0.4, 0.8)),
                List.of(
                    new CutoffMetrics(10, 0, 0, 0, 0, 0.9),
                    new CutoffMetrics(20, 1, 1 / 2.0, 0.05, 0.2, 0.8)),
                List.of(
                    new CutoffMetrics(10, 1, 1 / 5.0, 0.07, 0.2, 0.9),
                    new CutoffMetrics(20, 1, 1 / 5.0, 0.07, 0.2, 0.8)),
                List.of(),
                0,
                0.5,
                14.0),
            new ModelResult(
                "V-SKNN",
                "v-sknn",
                "k=100",
                List.of(
                    new CutoffMetrics(10, 3, 3 / 7.0, 0.25, 0.6, 0.1),
                    new CutoffMetrics(20, 4, 4 / 7.0, 0.26, 0.8, 0.1)),
                List.of(
                    new CutoffMetrics(10, 2, 1.0, 0.75, 0.2, 0.1),
                    new CutoffMetrics(20, 2, 1.0, 0.75, 0.2, 0.1)),
                List.of(
                    new CutoffMetrics(10, 1, 1 / 5.0, 0.1, 0.4, 0.1),
                    new CutoffMetrics(20, 2, 2 / 5.0, 0.12, 0.6, 0.1)),
                List.of(
                    new Served(
                        "all",
                        List.of(
                            new CutoffMetrics(10, 2, 2 / 7.0, 0.2, 0.6, 0.1),
                            new CutoffMetrics(20, 3, 3 / 7.0, 0.21, 0.8, 0.1)),
                        List.of(
                            new CutoffMetrics(10, 0, 0, 0, 0, 0),
                            new CutoffMetrics(20, 0, 0, 0, 0, 0)),
                        List.of(
                            new CutoffMetrics(10, 2, 2 / 5.0, 0.28, 0.6, 0.1),
                            new CutoffMetrics(20, 3, 3 / 5.0, 0.29, 0.8, 0.1)))),
                2,
                1.25,
                5.6)));
  }

  @Test
  void shouldReadBackTheJsonItWrites() {
    final EvaluationReport report = report();

    assertThat(EvaluationReport.fromJson(report.toJson())).isEqualTo(report);
  }

  @Test
  void shouldRejectJsonThatIsNotAReport() {
    assertThatThrownBy(() -> EvaluationReport.fromJson("[1, 2]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not an evaluation report");
  }

  @Test
  void shouldRenderModelsSideBySide() {
    final String table = ReportTable.render(report());

    assertThat(table).contains("diginetica: 3 sessions, 7 predictions");
    assertThat(table).contains("2 repeat targets = 28.6 %");
    assertThat(table).containsPattern("Recall@20 repeat +0\\.5000 +1\\.0000");
    assertThat(table).containsPattern("MRR@20 explore +0\\.0700 +0\\.1200");
    assertThat(table.lines().filter(l -> l.startsWith("metric")).findFirst().orElseThrow())
        .containsSubsequence("POP", "V-SKNN");
    assertThat(table).containsPattern("Recall@20 +0\\.2857 +0\\.5714");
    assertThat(table).containsPattern("MRR@20 served all +- +0\\.2100");
    assertThat(table).containsPattern("Recall@20 served all repeat +- +0\\.0000");
  }

  @Test
  void shouldReportEveryModelOfARun() {
    final var train = TestSessions.sessions("1:a,b,c", "2:a,b", "3:b,c", "4:b,c");
    final var test = TestSessions.sessions("9:a,b,c");
    final Baselines.All baselines = Baselines.trainAll(train);

    final EvaluationReport report =
        Evaluation.run(
            List.of(
                new NamedScorer("POP", baselines.popularity()),
                new NamedScorer("S-POP", baselines.sessionPopularity()),
                new NamedScorer("item-kNN", baselines.itemKnn()),
                new NamedScorer("SKNN", baselines.sknn()),
                new NamedScorer("V-SKNN", baselines.vsknn())),
            Catalog.fromTraining(train),
            test,
            EvaluationOptions.defaults().withProgress(false));

    assertThat(report.models())
        .extracting(ModelResult::name)
        .containsExactly("POP", "S-POP", "item-kNN", "SKNN", "V-SKNN");
    assertThat(report.dataset().predictions()).isEqualTo(2);
    assertThat(report.dataset().catalogItems()).isEqualTo(3);
    // item-kNN: b's most similar to a, c's to b
    assertThat(report.models().get(2).protocol().get(0).mrr()).isEqualTo(1.0);
  }
}
