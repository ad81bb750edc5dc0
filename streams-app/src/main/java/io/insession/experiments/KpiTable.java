package io.insession.experiments;

import io.insession.schemas.ExperimentKpis;
import io.insession.schemas.Kpi;
import io.insession.schemas.VariantKpis;
import java.util.Formatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * An experiment's figures as text: a line per variant (sessions, impressions, clicks, buyers,
 * orders, revenue), then a line per KPI and variant with its value, interval and lift over the
 * control. The one formatter of {@code insession experiments show} and the demo's live KPIs.
 */
public final class KpiTable {

  /** The KPIs in the order printed, with their labels. */
  private static final List<Map.Entry<String, String>> LABELS =
      List.of(
          Map.entry("ctr", "CTR"),
          Map.entry("add_to_cart_rate", "add-to-cart rate"),
          Map.entry("conversion_rate", "conversion rate"),
          Map.entry("average_order_value", "average order value"),
          Map.entry("revenue_per_session", "revenue per session"));

  private KpiTable() {}

  /**
   * The table of {@code kpis}, lines ending in the platform's line separator.
   *
   * @param what what the figures cover, e.g. "since it started"
   */
  public static String format(final ExperimentKpis kpis, final String what) {
    final StringBuilder text = new StringBuilder();
    try (Formatter out = new Formatter(text, Locale.ROOT)) {
      out.format(
          "Experiment %s, %s (computed %s; %.0f %% intervals%s)%n",
          kpis.getExperimentId(),
          what,
          kpis.getComputedAt(),
          kpis.getConfidence() * 100,
          kpis.getControl() == null ? ", no control" : ", lifts against " + kpis.getControl());
      out.format(
          "  %-12s %9s %11s %8s %8s %8s %12s%n",
          "variant", "sessions", "impressions", "clicks", "buyers", "orders", "revenue");
      for (final VariantKpis v : kpis.getVariants()) {
        out.format(
            "  %-12s %9d %11d %8d %8d %8d %12.2f%n",
            v.getVariant(),
            v.getSessions(),
            v.getImpressions(),
            v.getClicks(),
            v.getPurchaseSessions(),
            v.getOrders(),
            v.getRevenue());
      }
      out.format("  %-20s %-12s %10s  %-22s %s%n", "KPI", "variant", "value", "interval", "lift");
      for (final Map.Entry<String, String> label : LABELS) {
        final Function<VariantKpis, Kpi> of = ExperimentBoard.KPIS.get(label.getKey());
        for (final VariantKpis v : kpis.getVariants()) {
          final Kpi kpi = of.apply(v);
          out.format(
              "  %-20s %-12s %10s  %-22s %s%n",
              label.getValue(),
              v.getVariant(),
              kpi == null ? "-" : String.format(Locale.ROOT, "%.4f", kpi.getEstimate()),
              kpi == null
                  ? ""
                  : String.format(Locale.ROOT, "[%.4f, %.4f]", kpi.getLow(), kpi.getHigh()),
              kpi == null || kpi.getLift() == null
                  ? ""
                  : String.format(
                      Locale.ROOT,
                      "%+.1f %% [%+.1f %%, %+.1f %%]",
                      kpi.getLift().getEstimate() * 100,
                      kpi.getLift().getLow() * 100,
                      kpi.getLift().getHigh() * 100));
        }
      }
    }
    return text.toString();
  }
}
