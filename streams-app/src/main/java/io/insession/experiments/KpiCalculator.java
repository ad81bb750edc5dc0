package io.insession.experiments;

import io.insession.schemas.ExperimentKpis;
import io.insession.schemas.Kpi;
import io.insession.schemas.KpiPartial;
import io.insession.schemas.Lift;
import io.insession.schemas.VariantKpis;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The KPIs of one experiment and window from the tasks' partial sums: the partials of each variant
 * are added up (each task holds its own sessions, so the sums are exact), then each rate gets its
 * Wilson interval, revenue per session the normal interval of a mean over sessions, the average
 * order value the delta-method interval of revenue over orders, and every KPI of a variant its
 * relative lift over the control's with the delta-method interval on the log scale ({@link
 * Intervals}). A KPI whose interval is undefined (no impressions, fewer than 2 sessions, no orders)
 * is null, and so is a lift when either value is 0.
 */
public final class KpiCalculator {

  private KpiCalculator() {}

  /**
   * The experiment's figures.
   *
   * @param windowStart the window, null for since the experiment started
   * @param windowMs the window's length
   * @param partials every task's latest partial for this experiment and window, any variant
   */
  public static ExperimentKpis compute(
      final String experimentId,
      final Instant windowStart,
      final long windowMs,
      final Collection<KpiPartial> partials,
      final String control,
      final double confidence,
      final Instant computedAt) {
    final Map<String, KpiPartial> sums = new TreeMap<>();
    for (final KpiPartial partial : partials) {
      final KpiPartial sum =
          sums.getOrDefault(
              partial.getVariant(), empty(experimentId, partial.getVariant(), windowStart));
      sums.put(partial.getVariant(), asContribution(partial).addTo(sum));
    }
    final KpiPartial controlSums = sums.get(control);
    final VariantKpis controlKpis =
        controlSums == null ? null : variant(controlSums, null, confidence);
    final List<VariantKpis> variants = new ArrayList<>();
    for (final KpiPartial sum : sums.values()) {
      variants.add(
          sum.getVariant().equals(control) ? controlKpis : variant(sum, controlKpis, confidence));
    }
    return ExperimentKpis.newBuilder()
        .setExperimentId(experimentId)
        .setWindowStart(windowStart)
        .setWindowEnd(windowStart == null ? null : windowStart.plusMillis(windowMs))
        .setControl(controlSums == null ? null : control)
        .setConfidence(confidence)
        .setComputedAt(computedAt)
        .setVariants(variants)
        .build();
  }

  /** One variant's figures, with lifts over {@code control} (null: none). */
  static VariantKpis variant(
      final KpiPartial sum, final VariantKpis control, final double confidence) {
    final long n = sum.getSessions();
    final Kpi ctr = rate(sum.getClickedImpressions(), sum.getImpressions(), confidence);
    final Kpi addToCart = rate(sum.getAddToCartSessions(), n, confidence);
    final Kpi conversion = rate(sum.getPurchaseSessions(), n, confidence);
    final Kpi revenuePerSession =
        n < 2
            ? null
            : kpi(Intervals.mean(n, sum.getRevenue(), sum.getRevenueSquares(), confidence));
    final Kpi averageOrderValue =
        n < 2 || sum.getOrders() <= 0
            ? null
            : kpi(
                Intervals.ratio(
                    n,
                    sum.getRevenue(),
                    sum.getOrders(),
                    sum.getRevenueSquares(),
                    sum.getOrderSquares(),
                    sum.getRevenueTimesOrders(),
                    confidence));
    final VariantKpis.Builder kpis =
        VariantKpis.newBuilder()
            .setVariant(sum.getVariant())
            .setSessions(n)
            .setImpressions(sum.getImpressions())
            .setClickedImpressions(sum.getClickedImpressions())
            .setClicks(sum.getClicks())
            .setAddToCartSessions(sum.getAddToCartSessions())
            .setAttributedAddToCarts(sum.getAttributedAddToCarts())
            .setPurchaseSessions(sum.getPurchaseSessions())
            .setAttributedPurchases(sum.getAttributedPurchases())
            .setOrders(sum.getOrders())
            .setRevenue(sum.getRevenue())
            .setAttributedRevenue(sum.getAttributedRevenue())
            .setCtr(ctr)
            .setAddToCartRate(addToCart)
            .setConversionRate(conversion)
            .setRevenuePerSession(revenuePerSession)
            .setAverageOrderValue(averageOrderValue);
    if (control != null) {
      final VariantKpis plain = kpis.build();
      kpis.setCtr(withLift(ctr, lift(plain, control, "ctr", confidence, confidence)))
          .setAddToCartRate(
              withLift(addToCart, lift(plain, control, "add_to_cart_rate", confidence, confidence)))
          .setConversionRate(
              withLift(conversion, lift(plain, control, "conversion_rate", confidence, confidence)))
          .setRevenuePerSession(
              withLift(
                  revenuePerSession,
                  lift(plain, control, "revenue_per_session", confidence, confidence)))
          .setAverageOrderValue(
              withLift(
                  averageOrderValue,
                  lift(plain, control, "average_order_value", confidence, confidence)));
    }
    return kpis.build();
  }

  private static Kpi rate(final long successes, final long trials, final double confidence) {
    return trials <= 0 ? null : kpi(Intervals.wilson(successes, trials, confidence));
  }

  private static Kpi kpi(final Intervals.Interval interval) {
    return Kpi.newBuilder()
        .setEstimate(interval.estimate())
        .setLow(interval.low())
        .setHigh(interval.high())
        .build();
  }

  /** The binomial standard error sqrt(p(1 − p)/n) of a rate. */
  private static double rateError(final Kpi rate, final long trials) {
    if (rate == null || trials <= 0) {
      return Double.NaN;
    }
    final double p = rate.getEstimate();
    return Math.sqrt(p * (1 - p) / trials);
  }

  private static double halfWidth(final Kpi kpi) {
    return kpi == null ? Double.NaN : (kpi.getHigh() - kpi.getLow()) / 2;
  }

  /**
   * The relative lift of {@code treatment}'s KPI over {@code reference}'s, as the lifts over the
   * control are computed: the delta method on the log scale ({@link Intervals#lift}), with the
   * binomial standard error of a rate and, for a mean, its interval's half-width / z. Empty when
   * either KPI is missing or not positive. Also used by the canary (deployment.CanaryPolicy) to
   * compare a candidate with the variant it replaces, which need not be the control.
   *
   * @param kpi a key of {@link ExperimentBoard#KPIS}, e.g. {@code conversion_rate}
   * @param kpiConfidence the confidence the KPIs' intervals were computed at
   * @param confidence the confidence of the lift's interval
   * @throws IllegalArgumentException for an unknown KPI name
   */
  public static Optional<Intervals.Interval> lift(
      final VariantKpis treatment,
      final VariantKpis reference,
      final String kpi,
      final double kpiConfidence,
      final double confidence) {
    final Function<VariantKpis, Kpi> of = ExperimentBoard.KPIS.get(kpi);
    if (of == null) {
      throw new IllegalArgumentException(
          "unknown KPI '" + kpi + "'; one of " + new TreeSet<>(ExperimentBoard.KPIS.keySet()));
    }
    final Kpi value = of.apply(treatment);
    final Kpi control = of.apply(reference);
    if (value == null
        || control == null
        || !(value.getEstimate() > 0)
        || !(control.getEstimate() > 0)) {
      return Optional.empty();
    }
    final double standardError = standardError(kpi, value, treatment, kpiConfidence);
    final double controlStandardError = standardError(kpi, control, reference, kpiConfidence);
    if (Double.isNaN(standardError) || Double.isNaN(controlStandardError)) {
      return Optional.empty();
    }
    return Optional.of(
        Intervals.lift(
            value.getEstimate(),
            standardError,
            control.getEstimate(),
            controlStandardError,
            confidence));
  }

  /** A rate's binomial standard error over its trials, or a mean's half-width / z. */
  private static double standardError(
      final String name, final Kpi kpi, final VariantKpis of, final double kpiConfidence) {
    return switch (name) {
      case "ctr" -> rateError(kpi, of.getImpressions());
      case "add_to_cart_rate", "conversion_rate" -> rateError(kpi, of.getSessions());
      default -> halfWidth(kpi) / Intervals.z(kpiConfidence);
    };
  }

  /** {@code kpi} with {@code lift} (none: as it is). */
  private static Kpi withLift(final Kpi kpi, final Optional<Intervals.Interval> lift) {
    if (kpi == null || lift.isEmpty()) {
      return kpi;
    }
    return Kpi.newBuilder(kpi)
        .setLift(
            Lift.newBuilder()
                .setEstimate(lift.get().estimate())
                .setLow(lift.get().low())
                .setHigh(lift.get().high())
                .build())
        .build();
  }

  private static KpiPartial empty(
      final String experimentId, final String variant, final Instant windowStart) {
    return KpiPartial.newBuilder()
        .setExperimentId(experimentId)
        .setVariant(variant)
        .setWindowStart(windowStart)
        .build();
  }

  private static Contribution asContribution(final KpiPartial p) {
    return new Contribution(
        p.getSessions(),
        p.getImpressions(),
        p.getClickedImpressions(),
        p.getClicks(),
        p.getAddToCartSessions(),
        p.getAttributedAddToCarts(),
        p.getPurchaseSessions(),
        p.getAttributedPurchases(),
        p.getOrders(),
        p.getRevenue(),
        p.getAttributedRevenue(),
        p.getRevenueSquares(),
        p.getOrderSquares(),
        p.getRevenueTimesOrders());
  }
}
