package io.insession.evaluation;

import io.insession.evaluation.EvaluationReport.CutoffMetrics;
import io.insession.evaluation.EvaluationReport.Dataset;
import io.insession.evaluation.EvaluationReport.ModelResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** Renders a report as a plain-text table for a terminal: one column per model. */
public final class ReportTable {

  private ReportTable() {}

  /** The table, ending with a line separator. */
  public static String render(final EvaluationReport report) {
    final List<List<String>> rows = new ArrayList<>();
    final List<String> header = new ArrayList<>();
    header.add("metric");
    for (final ModelResult model : report.models()) {
      header.add(model.name());
    }
    rows.add(header);
    for (int c = 0; c < report.cutoffs().size(); c++) {
      final int index = c;
      final int k = report.cutoffs().get(c);
      addRow(rows, report, "Recall@" + k, m -> fixed(m.protocol().get(index).recall()));
      addRow(rows, report, "MRR@" + k, m -> fixed(m.protocol().get(index).mrr()));
      addRow(rows, report, "Coverage@" + k, m -> fixed(m.protocol().get(index).coverage()));
      addRow(rows, report, "Popularity@" + k, m -> fixed(m.protocol().get(index).popularity()));
    }
    final boolean anyRules = report.models().stream().anyMatch(m -> m.servingRules() != null);
    if (anyRules) {
      for (int c = 0; c < report.cutoffs().size(); c++) {
        final int index = c;
        final int k = report.cutoffs().get(c);
        addRow(rows, report, "Recall@" + k + " rules", m -> rules(m, index, CutoffMetrics::recall));
        addRow(rows, report, "MRR@" + k + " rules", m -> rules(m, index, CutoffMetrics::mrr));
      }
    }
    addRow(
        rows, report, "fallback steps", m -> String.format(Locale.ROOT, "%,d", m.fallbackSteps()));
    addRow(rows, report, "seconds", m -> String.format(Locale.ROOT, "%.1f", m.seconds()));
    addRow(
        rows,
        report,
        "predictions/s",
        m -> String.format(Locale.ROOT, "%,.0f", m.predictionsPerSecond()));
    final StringBuilder out = new StringBuilder();
    out.append(title(report.dataset())).append(System.lineSeparator());
    final int[] widths = widths(rows);
    for (final List<String> row : rows) {
      final StringBuilder line = new StringBuilder();
      for (int col = 0; col < row.size(); col++) {
        final String cell = row.get(col);
        if (col == 0) {
          line.append(String.format(Locale.ROOT, "%-" + widths[col] + "s", cell));
        } else {
          line.append("  ").append(String.format(Locale.ROOT, "%" + widths[col] + "s", cell));
        }
      }
      out.append(line.toString().stripTrailing()).append(System.lineSeparator());
    }
    if (anyRules) {
      out.append("rules: the serving rules (exclude the session's seen items) applied first")
          .append(System.lineSeparator());
    }
    return out.toString();
  }

  private static String title(final Dataset dataset) {
    return String.format(
        Locale.ROOT,
        "%s: %,d sessions, %,d predictions (%,d targets not in the catalog), catalog %,d items,"
            + " %d recent items; conservative ties",
        dataset.name(),
        dataset.sessions(),
        dataset.predictions(),
        dataset.unknownTargets(),
        dataset.catalogItems(),
        dataset.maxRecentItems());
  }

  private static void addRow(
      final List<List<String>> rows,
      final EvaluationReport report,
      final String label,
      final Function<ModelResult, String> cell) {
    final List<String> row = new ArrayList<>();
    row.add(label);
    for (final ModelResult model : report.models()) {
      row.add(cell.apply(model));
    }
    rows.add(row);
  }

  private static String rules(
      final ModelResult model, final int index, final Function<CutoffMetrics, Double> metric) {
    return model.servingRules() == null
        ? "-"
        : fixed(metric.apply(model.servingRules().get(index)));
  }

  private static String fixed(final double value) {
    return String.format(Locale.ROOT, "%.4f", value);
  }

  private static int[] widths(final List<List<String>> rows) {
    final int[] widths = new int[rows.get(0).size()];
    for (final List<String> row : rows) {
      for (int col = 0; col < row.size(); col++) {
        widths[col] = Math.max(widths[col], row.get(col).length());
      }
    }
    return widths;
  }
}
