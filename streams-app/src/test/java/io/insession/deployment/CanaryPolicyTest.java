package io.insession.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.insession.schemas.ExperimentKpis;
import io.insession.schemas.Kpi;
import io.insession.schemas.VariantKpis;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The canary's decisions on KPI snapshots whose lifts are worked out by hand in each test (z =
 * 1.959964 at 95 %): roll back, advance, wait for sessions, time out (hold or roll back).
 */
class CanaryPolicyTest {

  private static final double Z = 1.959964;
  private static final Duration MAX = Duration.ofMinutes(30);
  private static final Duration EARLY = Duration.ofMinutes(5);

  private static CanaryPolicy policy(
      final String metric, final double margin, final CanaryPolicy.OnTimeout onTimeout) {
    return new CanaryPolicy(
        new CanaryPolicy.Rule(metric, 0.95, margin, 200, MAX, onTimeout), "canary", "gru");
  }

  private static CanaryPolicy ctr() {
    return policy("ctr", 0, CanaryPolicy.OnTimeout.HOLD);
  }

  /** A variant with {@code sessions} sessions, {@code impressions} impressions and its CTR. */
  static VariantKpis ctrVariant(
      final String name, final long sessions, final long impressions, final Kpi ctr) {
    return VariantKpis.newBuilder()
        .setVariant(name)
        .setSessions(sessions)
        .setImpressions(impressions)
        .setClickedImpressions(Math.round(ctr.getEstimate() * impressions))
        .setClicks(Math.round(ctr.getEstimate() * impressions))
        .setAddToCartSessions(0)
        .setAttributedAddToCarts(0)
        .setPurchaseSessions(0)
        .setAttributedPurchases(0)
        .setOrders(0)
        .setRevenue(0)
        .setAttributedRevenue(0)
        .setCtr(ctr)
        .build();
  }

  private static VariantKpis revenueVariant(final String name, final long sessions, final Kpi rps) {
    return VariantKpis.newBuilder(ctrVariant(name, sessions, sessions, kpi(0.5, 0.4, 0.6)))
        .setRevenuePerSession(rps)
        .build();
  }

  static Kpi kpi(final double estimate, final double low, final double high) {
    return Kpi.newBuilder().setEstimate(estimate).setLow(low).setHigh(high).build();
  }

  private static ExperimentKpis snapshot(final VariantKpis... variants) {
    return ExperimentKpis.newBuilder()
        .setExperimentId("spring")
        .setControl(null)
        .setConfidence(0.95)
        .setComputedAt(Instant.parse("2026-11-27T22:00:00Z"))
        .setVariants(List.of(variants))
        .build();
  }

  @Test
  void shouldRollBackWhenTheLiftsIntervalLiesWhollyBelowZero() {
    // candidate 10 % of 100 impressions, current 50 % of 100: se 0.03 and 0.05;
    // log(0.1 / 0.5) = log 0.2, se of the log ratio sqrt((0.03/0.1)^2 + (0.05/0.5)^2) = sqrt(0.1)
    final ExperimentKpis kpis =
        snapshot(
            ctrVariant("canary", 40, 100, kpi(0.1, 0.05, 0.17)),
            ctrVariant("gru", 40, 100, kpi(0.5, 0.4, 0.6)));

    final CanaryPolicy.Decision decision = ctr().decide(kpis, 30, EARLY);

    assertThat(decision.action()).isEqualTo(CanaryPolicy.Action.ROLL_BACK);
    assertThat(decision.figures().lift().estimate()).isCloseTo(-0.8, within(1e-12));
    assertThat(decision.figures().lift().high())
        .isCloseTo(Math.exp(Math.log(0.2) + Z * Math.sqrt(0.1)) - 1, within(1e-6))
        .isCloseTo(-0.6283, within(1e-4));
    assertThat(decision.figures().stepSessions()).isEqualTo(10);
    assertThat(decision.describe())
        .contains("ROLL_BACK")
        .contains("ctr: canary 0.1000 [0.0500, 0.1700] (40 sessions, 10 this step)")
        .contains("lift -80.0 % [-89.2 %, -62.8 %]");
  }

  @Test
  void shouldRollBackACandidateWhoseListsAreNeverClickedBeforeItHasItsSessions() {
    // no log-scale lift for a CTR of 0: -100 % up to candidate high / current low - 1
    // = 0.16 / 0.4 - 1 = -0.6
    final ExperimentKpis kpis =
        snapshot(
            ctrVariant("canary", 10, 20, kpi(0, 0, 0.16)),
            ctrVariant("gru", 50, 100, kpi(0.5, 0.4, 0.6)));

    final CanaryPolicy.Decision decision = ctr().decide(kpis, 0, EARLY);

    assertThat(decision.action()).isEqualTo(CanaryPolicy.Action.ROLL_BACK);
    assertThat(decision.figures().lift().estimate()).isEqualTo(-1);
    assertThat(decision.figures().lift().high()).isCloseTo(-0.6, within(1e-12));
  }

  @Test
  void shouldAdvanceWithEnoughSessionsWhenNotWorse() {
    // equal CTRs: lift 0 with an interval around it
    final ExperimentKpis kpis =
        snapshot(
            ctrVariant("canary", 260, 400, kpi(0.5, 0.45, 0.55)),
            ctrVariant("gru", 700, 1000, kpi(0.5, 0.47, 0.53)));

    final CanaryPolicy.Decision decision = ctr().decide(kpis, 50, EARLY);

    assertThat(decision.action()).isEqualTo(CanaryPolicy.Action.ADVANCE);
    assertThat(decision.figures().stepSessions()).isEqualTo(210);
    assertThat(decision.figures().lift().estimate()).isZero();
    assertThat(decision.figures().lift().low()).isNegative();
    assertThat(decision.figures().lift().high()).isPositive();
  }

  @Test
  void shouldWaitForTheStepsSessionsThenHoldOrRollBackAtTheTimeout() {
    final ExperimentKpis kpis =
        snapshot(
            ctrVariant("canary", 150, 400, kpi(0.5, 0.45, 0.55)),
            ctrVariant("gru", 700, 1000, kpi(0.5, 0.47, 0.53)));

    final CanaryPolicy.Decision waiting = ctr().decide(kpis, 50, EARLY);
    assertThat(waiting.action()).isEqualTo(CanaryPolicy.Action.WAIT);
    assertThat(waiting.reason()).isEqualTo("100 of 200 new sessions of the candidate");

    final CanaryPolicy.Decision held = ctr().decide(kpis, 50, MAX);
    assertThat(held.action()).isEqualTo(CanaryPolicy.Action.HOLD);
    assertThat(held.reason()).contains("no decision within PT30M");

    final CanaryPolicy.Decision rolledBack =
        policy("ctr", 0, CanaryPolicy.OnTimeout.ROLL_BACK).decide(kpis, 50, MAX.plusSeconds(1));
    assertThat(rolledBack.action()).isEqualTo(CanaryPolicy.Action.ROLL_BACK);
  }

  @Test
  void shouldWaitWhileTheCandidateHasNoFiguresYet() {
    final ExperimentKpis kpis = snapshot(ctrVariant("gru", 700, 1000, kpi(0.5, 0.47, 0.53)));

    final CanaryPolicy.Decision decision = ctr().decide(kpis, 0, EARLY);

    assertThat(decision.action()).isEqualTo(CanaryPolicy.Action.WAIT);
    assertThat(decision.reason()).isEqualTo("no ctr yet for canary");
    assertThat(ctr().decide(null, 0, EARLY).action()).isEqualTo(CanaryPolicy.Action.WAIT);
  }

  @Test
  void shouldTolerateALossWithinTheMargin() {
    // revenue per session 9.5 against 10, half-widths 0.1: se = 0.1 / z each;
    // se of the log ratio = sqrt((0.1/z/9.5)^2 + (0.1/z/10)^2), high = 0.95 e^(z se) - 1 = -3.6 %
    final ExperimentKpis kpis =
        snapshot(
            revenueVariant("canary", 400, kpi(9.5, 9.4, 9.6)),
            revenueVariant("gru", 900, kpi(10, 9.9, 10.1)));
    final double se = Math.sqrt(Math.pow(0.1 / Z / 9.5, 2) + Math.pow(0.1 / Z / 10, 2));
    final double high = 0.95 * Math.exp(Z * se) - 1;
    assertThat(high).isCloseTo(-0.0361, within(1e-4));

    final CanaryPolicy.Decision strict =
        policy("revenue_per_session", 0, CanaryPolicy.OnTimeout.HOLD).decide(kpis, 0, EARLY);
    assertThat(strict.action()).isEqualTo(CanaryPolicy.Action.ROLL_BACK);
    assertThat(strict.figures().lift().high()).isCloseTo(high, within(1e-6));

    final CanaryPolicy.Decision lenient =
        policy("revenue_per_session", 0.05, CanaryPolicy.OnTimeout.HOLD).decide(kpis, 0, EARLY);
    assertThat(lenient.action()).isEqualTo(CanaryPolicy.Action.ADVANCE);
  }

  @Test
  void shouldAdvanceWhenTheCurrentVariantsKpiIsZero() {
    // nothing to lose against a CTR of 0: the lift is undefined, the candidate not worse
    final ExperimentKpis kpis =
        snapshot(
            ctrVariant("canary", 300, 300, kpi(0.1, 0.07, 0.14)),
            ctrVariant("gru", 300, 300, kpi(0, 0, 0.0126)));

    final CanaryPolicy.Decision decision = ctr().decide(kpis, 0, EARLY);

    assertThat(decision.action()).isEqualTo(CanaryPolicy.Action.ADVANCE);
    assertThat(decision.figures().lift()).isNull();
    assertThat(decision.describe()).contains("lift undefined");
  }

  @Test
  void shouldRefuseABadRule() {
    assertThat(
            assertThrows(
                    IllegalArgumentException.class,
                    () -> policy("clicks", 0, CanaryPolicy.OnTimeout.HOLD))
                .getMessage())
        .contains("unknown metric 'clicks'")
        .contains("conversion_rate");
    assertThrows(
        IllegalArgumentException.class, () -> policy("ctr", 1.0, CanaryPolicy.OnTimeout.HOLD));
    assertThrows(IllegalArgumentException.class, () -> CanaryPolicy.OnTimeout.parse("wait"));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new CanaryPolicy(
                new CanaryPolicy.Rule("ctr", 0.95, 0, 1, MAX, CanaryPolicy.OnTimeout.HOLD),
                "gru",
                "gru"));
  }
}
