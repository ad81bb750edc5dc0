package io.insession.deployment;

import io.insession.schemas.ExperimentKpis;
import io.insession.schemas.ModelDeployment;
import io.insession.schemas.VariantKpis;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs a canary (docs/roll-outs.md, "Canary"): writes each step's deployment (the {@link
 * CanaryPlan}'s variants, the base's salt, so the experiment continues), looks at the experiment's
 * live KPIs every check interval and lets the {@link CanaryPolicy} decide: next step, roll back
 * (deploy again the base, {@link Deployments#rollbackTo}, as {@code models rollback} does), hold,
 * or wait. Every deployment it writes carries the decision and its figures in its note; progress
 * goes to {@code out}.
 */
public final class Canary {

  /** Waits between two looks at the KPIs. */
  @FunctionalInterface
  public interface Pause {
    void pause(Duration duration) throws InterruptedException;
  }

  /** How a canary ended. */
  public enum Outcome {
    /** The last step was reached and passed. */
    COMPLETED,
    /** The base was deployed again. */
    ROLLED_BACK,
    /** A step timed out and holds its weights. */
    HELD
  }

  /**
   * How it ended.
   *
   * @param decision the last decision
   * @param last the last deployment written (the rollback's, on a rollback)
   */
  public record Result(Outcome outcome, CanaryPolicy.Decision decision, ModelDeployment last) {}

  private final CanaryPlan plan;
  private final CanaryPolicy policy;
  private final ModelDeployment base;
  private final String by;
  private final Supplier<Optional<ExperimentKpis>> kpis;
  private final Consumer<ModelDeployment> writer;
  private final Clock clock;
  private final Pause pause;
  private final Duration checkInterval;
  private final PrintWriter out;

  /**
   * A canary.
   *
   * @param base the deployment serving before the canary: its salt is kept, a rollback deploys it
   *     again
   * @param by who deploys (user@host)
   * @param kpis the experiment's latest figures since it started (the base's salt)
   * @param writer appends a deployment to the deployments topic
   */
  public Canary(
      final CanaryPlan plan,
      final CanaryPolicy policy,
      final ModelDeployment base,
      final String by,
      final Supplier<Optional<ExperimentKpis>> kpis,
      final Consumer<ModelDeployment> writer,
      final Clock clock,
      final Pause pause,
      final Duration checkInterval,
      final PrintWriter out) {
    this.plan = plan;
    this.policy = policy;
    this.base = base;
    this.by = by;
    this.kpis = kpis;
    this.writer = writer;
    this.clock = clock;
    this.pause = pause;
    this.checkInterval = checkInterval;
    this.out = out;
  }

  /** Runs every step until the canary completes, rolls back or holds. */
  public Result run() throws InterruptedException {
    final List<Integer> steps = plan.steps();
    final String candidate = plan.candidate().getName();
    CanaryPolicy.Decision last = null;
    ModelDeployment deployment = null;
    for (int i = 0; i < steps.size(); i++) {
      final int percent = steps.get(i);
      final String step = "step " + (i + 1) + "/" + steps.size();
      final Instant start = clock.instant();
      final long sessionsAtStart = sessions(kpis.get(), candidate);
      deployment =
          Deployments.deploy(
              plan.variants(percent),
              base.getSalt(),
              by,
              start,
              "canary "
                  + step
                  + ": "
                  + candidate
                  + "="
                  + plan.candidate().getSource()
                  + " at "
                  + percent
                  + " % of "
                  + plan.current()
                  + "'s weight; "
                  + (last == null
                      ? "before it: " + base.getDeploymentId()
                      : "advanced on " + last.figures().describe()));
      writer.accept(deployment);
      out.println(
          "Canary "
              + step
              + ": "
              + candidate
              + " at "
              + percent
              + " % of "
              + plan.current()
              + "'s weight, deployed "
              + deployment.getDeploymentId()
              + ": "
              + Deployments.describe(deployment));
      out.flush();
      Instant seen = null;
      boolean quiet = false;
      while (true) {
        final Optional<ExperimentKpis> now = kpis.get();
        final CanaryPolicy.Decision decision =
            policy.decide(
                now.orElse(null), sessionsAtStart, Duration.between(start, clock.instant()));
        last = decision;
        if (decision.action() == CanaryPolicy.Action.WAIT) {
          final Instant computed = now.map(ExperimentKpis::getComputedAt).orElse(null);
          if (!quiet || !Objects.equals(computed, seen)) {
            seen = computed;
            quiet = true;
            out.println("  waiting: " + decision.reason() + "; " + decision.figures().describe());
            out.flush();
          }
          pause.pause(checkInterval);
          continue;
        }
        if (decision.action() == CanaryPolicy.Action.ADVANCE) {
          out.println("  passed: " + decision.describe());
          out.flush();
          break;
        }
        return stop(decision, step, deployment);
      }
    }
    out.println(
        "Canary COMPLETED: "
            + candidate
            + " serves "
            + steps.get(steps.size() - 1)
            + " % of "
            + plan.current()
            + "'s weight ("
            + deployment.getDeploymentId()
            + ")");
    out.flush();
    return new Result(Outcome.COMPLETED, last, deployment);
  }

  private Result stop(
      final CanaryPolicy.Decision decision, final String step, final ModelDeployment deployment) {
    if (decision.action() == CanaryPolicy.Action.HOLD) {
      out.println(
          "Canary HELD at "
              + step
              + " ("
              + deployment.getDeploymentId()
              + " keeps serving): "
              + decision.describe()
              + ". Decide with models deploy, or roll back to "
              + base.getDeploymentId());
      out.flush();
      return new Result(Outcome.HELD, decision, deployment);
    }
    final ModelDeployment rollback =
        Deployments.rollbackTo(
            base, by, clock.instant(), "canary " + step + " " + decision.describe());
    writer.accept(rollback);
    out.println(
        "Canary ROLLED BACK at "
            + step
            + " to "
            + base.getDeploymentId()
            + " as "
            + rollback.getDeploymentId()
            + ": "
            + decision.describe());
    out.flush();
    return new Result(Outcome.ROLLED_BACK, decision, rollback);
  }

  private static long sessions(final Optional<ExperimentKpis> kpis, final String variant) {
    return kpis.map(ExperimentKpis::getVariants).orElse(List.of()).stream()
        .filter(v -> v.getVariant().equals(variant))
        .mapToLong(VariantKpis::getSessions)
        .findFirst()
        .orElse(0L);
  }
}
