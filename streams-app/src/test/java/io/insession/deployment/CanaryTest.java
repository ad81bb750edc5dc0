package io.insession.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.insession.schemas.DeployedVariant;
import io.insession.schemas.ExperimentKpis;
import io.insession.schemas.ModelDeployment;
import io.insession.schemas.VariantKpis;
import io.insession.testing.ManualClock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The canary's loop on a manual clock: the deployments it writes and what it prints, with the KPIs
 * changed by the test at each pause (no broker; the real one is in {@code ModelsCanaryCommandIT}).
 */
class CanaryTest {

  private static final Instant START = Instant.parse("2026-11-27T22:00:00Z");
  private static final Duration CHECK = Duration.ofSeconds(10);

  private final ManualClock clock = new ManualClock(START);
  private final List<ModelDeployment> written = new ArrayList<>();
  private final AtomicReference<ExperimentKpis> kpis = new AtomicReference<>();
  private final StringWriter out = new StringWriter();
  private final ModelDeployment base =
      Deployments.deploy(
          List.of(new DeployedVariant("gru", "gru4rec:V1", 1)), "spring", "me", START, null);

  private Canary canary(final CanaryPolicy.OnTimeout onTimeout, final Canary.Pause pause) {
    return new Canary(
        new CanaryPlan(
            base.getVariants(),
            "gru",
            new DeployedVariant("canary", "gru4rec:V2", 1),
            List.of(50, 100)),
        new CanaryPolicy(
            new CanaryPolicy.Rule("ctr", 0.95, 0, 10, Duration.ofMinutes(1), onTimeout),
            "canary",
            "gru"),
        base,
        "me",
        () -> Optional.ofNullable(kpis.get()),
        written::add,
        clock,
        pause,
        CHECK,
        new PrintWriter(out, true));
  }

  private static VariantKpis variant(final String name, final long sessions, final double ctr) {
    return CanaryPolicyTest.ctrVariant(
        name, sessions, 2 * sessions, CanaryPolicyTest.kpi(ctr, ctr - 0.05, ctr + 0.05));
  }

  private void set(final long canarySessions) {
    kpis.set(
        ExperimentKpis.newBuilder()
            .setExperimentId("spring")
            .setConfidence(0.95)
            .setComputedAt(clock.instant())
            .setVariants(List.of(variant("canary", canarySessions, 0.5), variant("gru", 500, 0.5)))
            .build());
  }

  @Test
  void shouldWriteEachStepWithTheFiguresItAdvancedOnAndComplete() throws Exception {
    // each pause: 10 s later, 6 more sessions of the candidate
    final Canary.Result result =
        canary(
                CanaryPolicy.OnTimeout.HOLD,
                pause -> {
                  clock.advance(pause);
                  set(kpis.get() == null ? 6 : kpis.get().getVariants().get(0).getSessions() + 6);
                })
            .run();

    assertThat(result.outcome()).isEqualTo(Canary.Outcome.COMPLETED);
    assertThat(written).hasSize(2);
    assertThat(Deployments.describe(written.get(0)))
        .isEqualTo("gru=gru4rec:V1:1 canary=gru4rec:V2:1 (salt 'spring')");
    assertThat(written.get(0).getDetail())
        .isEqualTo(
            "canary step 1/2: canary=gru4rec:V2 at 50 % of gru's weight; before it: "
                + base.getDeploymentId());
    assertThat(Deployments.describe(written.get(1)))
        .isEqualTo("gru=gru4rec:V1:0 canary=gru4rec:V2:1 (salt 'spring')");
    // 6, 12 sessions: the first step advances at 12; the second from 12 to 24
    assertThat(written.get(1).getDetail())
        .contains("advanced on ctr: canary 0.5000 [0.4500, 0.5500] (12 sessions, 12 this step)");
    assertThat(result.decision().figures().stepSessions()).isEqualTo(12);
    assertThat(out.toString())
        .contains("Canary step 1/2: canary at 50 % of gru's weight, deployed d-")
        .contains("  waiting: 6 of 10 new sessions of the candidate")
        .contains("  passed: ADVANCE")
        .contains("Canary COMPLETED: canary serves 100 % of gru's weight");
  }

  @Test
  void shouldHoldAtTheTimeoutWritingNothingMoreOrRollBackToTheBase() throws Exception {
    final Canary.Result held =
        canary(CanaryPolicy.OnTimeout.HOLD, pause -> clock.advance(pause)).run();

    assertThat(held.outcome()).isEqualTo(Canary.Outcome.HELD);
    assertThat(written).hasSize(1);
    assertThat(out.toString())
        .contains(
            "Canary HELD at step 1/2 (" + written.get(0).getDeploymentId() + " keeps serving)")
        .contains("no decision within PT1M (no ctr yet for canary)");

    written.clear();
    final Canary.Result rolledBack =
        canary(CanaryPolicy.OnTimeout.ROLL_BACK, pause -> clock.advance(pause)).run();

    assertThat(rolledBack.outcome()).isEqualTo(Canary.Outcome.ROLLED_BACK);
    assertThat(written).hasSize(2);
    assertThat(Deployments.describe(written.get(1))).isEqualTo(Deployments.describe(base));
    assertThat(written.get(1).getDetail())
        .startsWith(
            "rollback to "
                + base.getDeploymentId()
                + ": canary step 1/2 ROLL_BACK: no decision within PT1M");
    assertThat(rolledBack.last()).isEqualTo(written.get(1));
  }
}
