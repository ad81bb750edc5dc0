package io.insession.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.insession.schemas.ExperimentKpis;
import io.insession.schemas.KpiPartial;
import io.insession.schemas.VariantKpis;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The merge of the tasks' partial sums: each task holds whole sessions, so adding the tasks' sums
 * per variant gives the same figures as one task holding every session would.
 */
class KpiCalculatorTest {

  private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

  /**
   * Control: sessions with revenue 10 (1 order), 0, 30 (2 orders) and 0, the first two on task 0_0,
   * the others on 0_1; gru: revenue 20 (1 order) and 0 on task 0_0.
   */
  static List<KpiPartial> partials() {
    return List.of(
        partial("control", "0_0", 2, 10, 1, 10, 1),
        partial("control", "0_1", 2, 30, 1, 30, 2),
        partial("gru", "0_0", 2, 20, 1, 20, 1));
  }

  /** Sums of {@code sessions} sessions of which one bought {@code revenue} in {@code orders}. */
  static KpiPartial partial(
      final String variant,
      final String task,
      final long sessions,
      final double revenue,
      final long purchaseSessions,
      final double attributed,
      final long orders) {
    return KpiPartial.newBuilder()
        .setExperimentId("exp")
        .setVariant(variant)
        .setTask(task)
        .setSessions(sessions)
        .setImpressions(sessions * 4)
        .setClickedImpressions(sessions)
        .setClicks(sessions + 1)
        .setAddToCartSessions(purchaseSessions)
        .setPurchaseSessions(purchaseSessions)
        .setAttributedPurchases(purchaseSessions)
        .setOrders(orders)
        .setRevenue(revenue)
        .setAttributedRevenue(attributed)
        .setRevenueSquares(revenue * revenue)
        .setOrderSquares(orders * orders)
        .setRevenueTimesOrders(revenue * orders)
        .build();
  }

  @Test
  void shouldAddUpTheTasksOfEachVariantExactly() {
    final ExperimentKpis kpis =
        KpiCalculator.compute("exp", null, 3_600_000L, partials(), "control", 0.95, NOW);

    assertThat(kpis.getControl()).isEqualTo("control");
    assertThat(kpis.getWindowEnd()).isNull();
    final VariantKpis control = kpis.getVariants().get(0);
    assertThat(control.getVariant()).isEqualTo("control");
    assertThat(control.getSessions()).isEqualTo(4);
    assertThat(control.getImpressions()).isEqualTo(16);
    assertThat(control.getPurchaseSessions()).isEqualTo(2);
    assertThat(control.getOrders()).isEqualTo(3);
    assertThat(control.getRevenue()).isEqualTo(40.0);
    // revenue per session over 10, 0, 30, 0: mean 10, sample variance (1000 - 400) / 3 = 200
    assertThat(control.getRevenuePerSession().getEstimate()).isEqualTo(10.0);
    final double half = Intervals.z(0.95) * Math.sqrt(200.0 / 4);
    assertThat(control.getRevenuePerSession().getLow()).isCloseTo(10 - half, within(1e-9));
    // AOV 40 / 3 orders, the delta method over sessions with orders 1, 0, 2, 0
    assertThat(control.getAverageOrderValue().getEstimate()).isCloseTo(40.0 / 3, within(1e-12));
    final Intervals.Interval aov = Intervals.ratio(4, 40, 3, 1000, 5, 10 + 60, 0.95);
    assertThat(control.getAverageOrderValue().getHigh()).isCloseTo(aov.high(), within(1e-12));
    assertThat(control.getConversionRate().getEstimate()).isEqualTo(0.5);
    assertThat(control.getCtr().getEstimate()).isEqualTo(0.25);

    final VariantKpis gru = kpis.getVariants().get(1);
    assertThat(gru.getSessions()).isEqualTo(2);
    assertThat(gru.getRevenuePerSession().getEstimate()).isEqualTo(10.0);
    assertThat(gru.getRevenuePerSession().getLift().getEstimate()).isCloseTo(0, within(1e-12));
    assertThat(gru.getConversionRate().getLift().getEstimate()).isCloseTo(0, within(1e-12));
    assertThat(gru.getAverageOrderValue().getLift().getEstimate())
        .as("20 per order against 40/3")
        .isCloseTo(20 / (40.0 / 3) - 1, within(1e-12));
  }

  @Test
  void shouldGiveNoLiftsWithoutTheControlAndNoIntervalWithoutEnoughSessions() {
    final ExperimentKpis kpis =
        KpiCalculator.compute(
            "exp",
            NOW,
            3_600_000L,
            List.of(partial("gru", "0_0", 1, 0, 0, 0, 0)),
            "control",
            0.95,
            NOW);

    assertThat(kpis.getControl()).isNull();
    assertThat(kpis.getWindowEnd()).isEqualTo(NOW.plusSeconds(3600));
    final VariantKpis gru = kpis.getVariants().get(0);
    assertThat(gru.getConversionRate().getEstimate()).isZero();
    assertThat(gru.getConversionRate().getLift()).isNull();
    assertThat(gru.getRevenuePerSession()).as("one session").isNull();
    assertThat(gru.getAverageOrderValue()).as("no orders").isNull();
  }
}
