package io.insession.evaluation;

import io.insession.evaluation.EvaluationReport.Dataset;
import io.insession.evaluation.EvaluationReport.ModelResult;
import io.insession.evaluation.EvaluationReport.Served;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
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
    for (int c = 0; c < report.cutoffs().size(); c++) {
      final int index = c;
      final int k = report.cutoffs().get(c);
      addRow(rows, report, "Recall@" + k + " repeat", m -> fixed(m.repeat().get(index).recall()));
      addRow(rows, report, "MRR@" + k + " repeat", m -> fixed(m.repeat().get(index).mrr()));
      addRow(rows, report, "Recall@" + k + " explore", m -> fixed(m.explore().get(index).recall()));
      addRow(rows, report, "MRR@" + k + " explore", m -> fixed(m.explore().get(index).mrr()));
    }
    final List<String> options = servedOptions(report);
    for (final String option : options) {
      for (int c = 0; c < report.cutoffs().size(); c++) {
        final int index = c;
        final int k = report.cutoffs().get(c);
        final String label = " served " + option;
        addRow(rows, report, "Recall@" + k + label, m -> served(m, option, index, Split.OVERALL));
        addRow(rows, report, "MRR@" + k + label, m -> servedMrr(m, option, index));
        addRow(
            rows,
            report,
            "Recall@" + k + label + " repeat",
            m -> served(m, option, index, Split.REPEAT));
        addRow(
            rows,
            report,
            "Recall@" + k + label + " explore",
            m -> served(m, option, index, Split.EXPLORE));
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
    out.append(
            "repeat: targets already among the session's clicks so far; explore: the others."
                + " Recall and MRR of each average over its own targets")
        .append(System.lineSeparator());
    if (!options.isEmpty()) {
      out.append(
              "served OPTION: the lists as served with insession.rules.exclude.seen=OPTION (all:"
                  + " every remembered item dropped, last:N: the last N item events', bought: only"
                  + " purchases, off: none), cut to the largest cut-off")
          .append(System.lineSeparator());
    }
    return out.toString();
  }

  private static String title(final Dataset dataset) {
    return String.format(
        Locale.ROOT,
        "%s: %,d sessions, %,d predictions (%,d targets not in the catalog, %,d repeat targets ="
            + " %.1f %%), catalog %,d items, %d recent items; conservative ties",
        dataset.name(),
        dataset.sessions(),
        dataset.predictions(),
        dataset.unknownTargets(),
        dataset.repeatTargets(),
        100 * dataset.repeatShare(),
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

  /** Which part of a served result. */
  private enum Split {
    OVERALL,
    REPEAT,
    EXPLORE
  }

  /** The seen-items options any model was measured under, in first-seen order. */
  private static List<String> servedOptions(final EvaluationReport report) {
    final Set<String> options = new LinkedHashSet<>();
    for (final ModelResult model : report.models()) {
      for (final Served served : model.served()) {
        options.add(served.excludeSeen());
      }
    }
    return List.copyOf(options);
  }

  private static Optional<Served> servedUnder(final ModelResult model, final String option) {
    return model.served().stream().filter(s -> s.excludeSeen().equals(option)).findFirst();
  }

  private static String served(
      final ModelResult model, final String option, final int index, final Split split) {
    return servedUnder(model, option)
        .map(
            s ->
                switch (split) {
                  case OVERALL -> s.overall();
                  case REPEAT -> s.repeat();
                  case EXPLORE -> s.explore();
                })
        .map(metrics -> fixed(metrics.get(index).recall()))
        .orElse("-");
  }

  private static String servedMrr(final ModelResult model, final String option, final int index) {
    return servedUnder(model, option).map(s -> fixed(s.overall().get(index).mrr())).orElse("-");
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
