package io.insession.experiments;

import io.insession.schemas.ExperimentKpis;
import io.insession.schemas.Kpi;
import io.insession.schemas.VariantKpis;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The latest KPIs of every experiment and window, as read from the experiment KPIs topic (by the
 * lookup API's {@link ExperimentFollower}, or by {@code insession experiments show}); thread-safe.
 * With a registry bound ({@link #bindTo}), each variant's figures since its experiment started are
 * gauges: {@code insession_experiment_sessions}, {@code insession_experiment_impressions}, {@code
 * insession_experiment_kpi{kpi,bound}} and {@code insession_experiment_lift{kpi,bound}}, all tagged
 * {@code experiment} and {@code variant}; a KPI without a value reads NaN.
 */
public final class ExperimentBoard {

  /** The KPIs, by name, as the API, the metrics and the CLI name them. */
  public static final Map<String, Function<VariantKpis, Kpi>> KPIS =
      Map.of(
          "ctr", VariantKpis::getCtr,
          "add_to_cart_rate", VariantKpis::getAddToCartRate,
          "conversion_rate", VariantKpis::getConversionRate,
          "average_order_value", VariantKpis::getAverageOrderValue,
          "revenue_per_session", VariantKpis::getRevenuePerSession);

  /** The {@code bound} tag of the KPI and lift gauges, in the order of {@link #value}. */
  private static final List<String> BOUNDS = List.of("estimate", "low", "high");

  private final Map<String, ExperimentKpis> byKey = new ConcurrentHashMap<>();
  private final Set<String> metered = ConcurrentHashMap.newKeySet();
  private volatile MeterRegistry registry;

  /** Takes a record of the topic: {@code value} null removes the key (a window dropped). */
  public void apply(final String key, final ExperimentKpis value) {
    if (key == null) {
      return;
    }
    if (value == null) {
      byKey.remove(key);
      return;
    }
    byKey.put(key, value);
    if (value.getWindowStart() == null) {
      meter(value);
    }
  }

  /** The experiments known, by id. */
  public SortedSet<String> ids() {
    final SortedSet<String> ids = new TreeSet<>();
    byKey.values().forEach(kpis -> ids.add(kpis.getExperimentId()));
    return ids;
  }

  /** The experiment's figures since it started. */
  public Optional<ExperimentKpis> sinceStart(final String experimentId) {
    return Optional.ofNullable(byKey.get(ExperimentKeys.topic(experimentId, null)));
  }

  /** The experiment's windows, the latest first. */
  public List<ExperimentKpis> windows(final String experimentId) {
    final List<ExperimentKpis> windows = new ArrayList<>();
    for (final ExperimentKpis kpis : byKey.values()) {
      if (kpis.getExperimentId().equals(experimentId) && kpis.getWindowStart() != null) {
        windows.add(kpis);
      }
    }
    windows.sort(Comparator.comparing(ExperimentKpis::getWindowStart).reversed());
    return windows;
  }

  /** Registers the gauges of every variant seen since start, now and from now on. */
  public void bindTo(final MeterRegistry meters) {
    this.registry = meters;
    byKey.values().stream().filter(k -> k.getWindowStart() == null).forEach(this::meter);
  }

  private void meter(final ExperimentKpis kpis) {
    final MeterRegistry meters = registry;
    if (meters == null) {
      return;
    }
    for (final VariantKpis variant : kpis.getVariants()) {
      final String experimentId = kpis.getExperimentId();
      final String name = variant.getVariant();
      if (!metered.add(experimentId + "\u0000" + name)) {
        continue;
      }
      gauge(meters, "insession.experiment.sessions", experimentId, name, v -> v.getSessions());
      gauge(
          meters, "insession.experiment.impressions", experimentId, name, v -> v.getImpressions());
      gauge(meters, "insession.experiment.revenue", experimentId, name, VariantKpis::getRevenue);
      for (final Map.Entry<String, Function<VariantKpis, Kpi>> kpi : KPIS.entrySet()) {
        final Function<VariantKpis, Kpi> of = kpi.getValue();
        for (int i = 0; i < BOUNDS.size(); i++) {
          final int which = i;
          kpiGauge(
              meters,
              "insession.experiment.kpi",
              experimentId,
              name,
              kpi.getKey(),
              BOUNDS.get(which),
              v -> value(of.apply(v), which));
          kpiGauge(
              meters,
              "insession.experiment.lift",
              experimentId,
              name,
              kpi.getKey(),
              BOUNDS.get(which),
              v -> lift(of.apply(v), which));
        }
      }
    }
  }

  private void gauge(
      final MeterRegistry meters,
      final String meter,
      final String experimentId,
      final String variant,
      final ToDoubleFunction<VariantKpis> read) {
    Gauge.builder(meter, this, board -> board.read(experimentId, variant, read))
        .tag("experiment", experimentId)
        .tag("variant", variant)
        .register(meters);
  }

  private void kpiGauge(
      final MeterRegistry meters,
      final String meter,
      final String experimentId,
      final String variant,
      final String kpi,
      final String bound,
      final ToDoubleFunction<VariantKpis> read) {
    Gauge.builder(meter, this, board -> board.read(experimentId, variant, read))
        .description(
            "A variant's KPI (insession.experiment.kpi), or its relative lift over the control"
                + " (insession.experiment.lift), since its experiment started")
        .tags("experiment", experimentId, "variant", variant, "kpi", kpi, "bound", bound)
        .register(meters);
  }

  private double read(
      final String experimentId, final String variant, final ToDoubleFunction<VariantKpis> read) {
    return sinceStart(experimentId)
        .flatMap(
            kpis ->
                kpis.getVariants().stream().filter(v -> v.getVariant().equals(variant)).findFirst())
        .map(read::applyAsDouble)
        .orElse(Double.NaN);
  }

  private static double value(final Kpi kpi, final int which) {
    if (kpi == null) {
      return Double.NaN;
    }
    return which == 0 ? kpi.getEstimate() : which == 1 ? kpi.getLow() : kpi.getHigh();
  }

  private static double lift(final Kpi kpi, final int which) {
    if (kpi == null || kpi.getLift() == null) {
      return Double.NaN;
    }
    return which == 0
        ? kpi.getLift().getEstimate()
        : which == 1 ? kpi.getLift().getLow() : kpi.getLift().getHigh();
  }
}
