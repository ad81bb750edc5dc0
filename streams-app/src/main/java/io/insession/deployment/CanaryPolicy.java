package io.insession.deployment;

import io.insession.config.InSessionConfig;
import io.insession.experiments.ExperimentBoard;
import io.insession.experiments.Intervals;
import io.insession.experiments.KpiCalculator;
import io.insession.schemas.ExperimentKpis;
import io.insession.schemas.Kpi;
import io.insession.schemas.VariantKpis;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;

/**
 * What a canary step does at one look at the live KPIs (docs/roll-outs.md, "Canary"): a pure
 * function of the experiment's figures since it started, the candidate's sessions when the step
 * began and the time spent in the step.
 *
 * <ol>
 *   <li><b>Roll back</b> when the relative lift of the candidate's KPI over the replaced variant's
 *       lies wholly below {@code -margin} (checked at every look, also before the step has its
 *       sessions). The lift and its interval are {@link KpiCalculator#lift}'s. When the candidate's
 *       KPI is 0 and the current one's is not, the log-scale lift is undefined: the lift is then
 *       -100 % with the upper bound {@code candidate high / current low - 1} (the two intervals
 *       must not overlap by more than the margin; conservative).
 *   <li><b>Advance</b> when the step has {@code minSessions} new sessions of the candidate and the
 *       two variants can be compared (both have the KPI), and it is not worse.
 *   <li><b>Time out</b> after {@code maxStepTime} in the step: hold or roll back, as configured.
 *   <li>Otherwise <b>wait</b>.
 * </ol>
 */
public final class CanaryPolicy {

  /** What the canary does now. */
  public enum Action {
    /** Look again later. */
    WAIT,
    /** Go to the next step (after the last: the canary is done). */
    ADVANCE,
    /** Deploy again what served before the canary. */
    ROLL_BACK,
    /** Keep the step's weights and stop: a person decides. */
    HOLD
  }

  /** What a step that timed out does. */
  public enum OnTimeout {
    HOLD,
    ROLL_BACK;

    /**
     * {@code hold} or {@code rollback}.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static OnTimeout parse(final String text) {
      return switch (text.strip().toLowerCase(Locale.ROOT)) {
        case "hold" -> HOLD;
        case "rollback" -> ROLL_BACK;
        default ->
            throw new IllegalArgumentException(
                "on timeout must be hold or rollback, got '" + text + "'");
      };
    }
  }

  /**
   * The rule.
   *
   * @param metric a KPI of {@link ExperimentBoard#KPIS}, e.g. {@code ctr}
   * @param confidence two-sided confidence of the lift's interval
   * @param margin relative loss tolerated: roll back when the lift's interval lies below -margin
   * @param minSessions new sessions of the candidate a step needs before it may advance
   * @param maxStepTime how long a step may wait for a decision
   * @param onTimeout what a step that timed out does
   */
  public record Rule(
      String metric,
      double confidence,
      double margin,
      long minSessions,
      Duration maxStepTime,
      OnTimeout onTimeout) {

    /**
     * Checks the rule.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public Rule {
      if (!ExperimentBoard.KPIS.containsKey(metric)) {
        throw new IllegalArgumentException(
            "unknown metric '"
                + metric
                + "'; one of "
                + new TreeSet<>(ExperimentBoard.KPIS.keySet()));
      }
      Intervals.z(confidence);
      if (!(margin >= 0 && margin < 1)) {
        throw new IllegalArgumentException("the margin must be in [0, 1), got " + margin);
      }
      if (minSessions < 1) {
        throw new IllegalArgumentException("a step needs at least 1 session, got " + minSessions);
      }
      if (maxStepTime.isNegative() || maxStepTime.isZero()) {
        throw new IllegalArgumentException(
            "the maximum step time must be positive, got " + maxStepTime);
      }
      if (onTimeout == null) {
        throw new IllegalArgumentException("on timeout must be hold or rollback");
      }
    }

    /** The rule of {@code config}'s {@code insession.canary.*} keys. */
    public static Rule of(final InSessionConfig config) {
      return new Rule(
          config.getString(InSessionConfig.CANARY_METRIC),
          config.getDouble(InSessionConfig.EXPERIMENTS_CONFIDENCE),
          config.getDouble(InSessionConfig.CANARY_MARGIN),
          config.getLong(InSessionConfig.CANARY_STEP_MIN_SESSIONS),
          Duration.ofMillis(config.getLong(InSessionConfig.CANARY_MAX_STEP_MS)),
          OnTimeout.parse(config.getString(InSessionConfig.CANARY_ON_TIMEOUT)));
    }
  }

  /**
   * The figures a decision was taken on.
   *
   * @param candidateSessions the candidate's sessions since the experiment started
   * @param stepSessions of them, the ones counted since the step began
   * @param currentSessions the replaced variant's sessions since the experiment started
   * @param candidate the candidate's KPI (null: none yet)
   * @param current the replaced variant's KPI (null: none yet)
   * @param lift the candidate's lift over the replaced variant (null: not defined)
   */
  public record Figures(
      String metric,
      String candidateName,
      String currentName,
      long candidateSessions,
      long stepSessions,
      long currentSessions,
      Kpi candidate,
      Kpi current,
      Intervals.Interval lift) {

    /** One line, e.g. {@code ctr: canary 0.000 [0.000, 0.160] (20 sessions, 12 this step); ...}. */
    public String describe() {
      return metric
          + ": "
          + candidateName
          + " "
          + kpi(candidate)
          + " ("
          + candidateSessions
          + " sessions, "
          + stepSessions
          + " this step), "
          + currentName
          + " "
          + kpi(current)
          + " ("
          + currentSessions
          + " sessions); lift "
          + (lift == null
              ? "undefined"
              : percent(lift.estimate())
                  + " ["
                  + percent(lift.low())
                  + ", "
                  + percent(lift.high())
                  + "]");
    }

    private static String kpi(final Kpi kpi) {
      return kpi == null
          ? "n/a"
          : String.format(
              Locale.ROOT, "%.4f [%.4f, %.4f]", kpi.getEstimate(), kpi.getLow(), kpi.getHigh());
    }

    private static String percent(final double fraction) {
      return Double.isInfinite(fraction)
          ? (fraction > 0 ? "+inf" : "-inf")
          : String.format(Locale.ROOT, "%+.1f %%", 100 * fraction);
    }
  }

  /**
   * A decision.
   *
   * @param reason why, in words
   */
  public record Decision(Action action, String reason, Figures figures) {

    /** The action, the reason and the figures in one line. */
    public String describe() {
      return action + ": " + reason + "; " + figures.describe();
    }
  }

  private final Rule rule;
  private final String candidate;
  private final String current;

  /**
   * The policy of a canary of variant {@code candidate} replacing variant {@code current}.
   *
   * @throws IllegalArgumentException when both are the same variant
   */
  public CanaryPolicy(final Rule rule, final String candidate, final String current) {
    if (candidate.equals(current)) {
      throw new IllegalArgumentException(
          "the candidate variant must differ from the current one, both are '" + current + "'");
    }
    this.rule = rule;
    this.candidate = candidate;
    this.current = current;
  }

  /** The rule. */
  public Rule rule() {
    return rule;
  }

  /**
   * The decision now.
   *
   * @param kpis the experiment's figures since it started (null: none yet)
   * @param sessionsAtStepStart the candidate's sessions when the step began
   * @param inStep the time spent in the step so far
   */
  public Decision decide(
      final ExperimentKpis kpis, final long sessionsAtStepStart, final Duration inStep) {
    final VariantKpis cand = variant(kpis, candidate);
    final VariantKpis cur = variant(kpis, current);
    final long candidateSessions = cand == null ? 0 : cand.getSessions();
    final long stepSessions = Math.max(0, candidateSessions - sessionsAtStepStart);
    final Kpi candidateKpi =
        cand == null ? null : ExperimentBoard.KPIS.get(rule.metric()).apply(cand);
    final Kpi currentKpi = cur == null ? null : ExperimentBoard.KPIS.get(rule.metric()).apply(cur);
    final Optional<Intervals.Interval> lift =
        cand == null || cur == null
            ? Optional.empty()
            : lift(kpis.getConfidence(), cand, cur, candidateKpi, currentKpi);
    final Figures figures =
        new Figures(
            rule.metric(),
            candidate,
            current,
            candidateSessions,
            stepSessions,
            cur == null ? 0 : cur.getSessions(),
            candidateKpi,
            currentKpi,
            lift.orElse(null));
    if (lift.isPresent() && lift.get().below(-rule.margin())) {
      return new Decision(
          Action.ROLL_BACK,
          String.format(
              Locale.ROOT,
              "the candidate's %s is worse: its lift's %.0f %% interval lies wholly below -%.1f %%",
              rule.metric(),
              100 * rule.confidence(),
              100 * rule.margin()),
          figures);
    }
    final boolean comparable = candidateKpi != null && currentKpi != null;
    if (comparable && stepSessions >= rule.minSessions()) {
      return new Decision(
          Action.ADVANCE,
          stepSessions
              + " new sessions of the candidate (at least "
              + rule.minSessions()
              + ") and not worse",
          figures);
    }
    final String missing =
        comparable
            ? stepSessions + " of " + rule.minSessions() + " new sessions of the candidate"
            : "no " + rule.metric() + " yet for " + (candidateKpi == null ? candidate : current);
    if (inStep.compareTo(rule.maxStepTime()) >= 0) {
      return new Decision(
          rule.onTimeout() == OnTimeout.HOLD ? Action.HOLD : Action.ROLL_BACK,
          "no decision within " + rule.maxStepTime() + " (" + missing + ")",
          figures);
    }
    return new Decision(Action.WAIT, missing, figures);
  }

  /**
   * The lift of the candidate over the current variant: {@link KpiCalculator#lift}'s when both are
   * positive; -100 % up to {@code candidate high / current low - 1} when only the candidate's is 0;
   * none when the current one's is 0 (the candidate cannot be worse) or either is missing.
   */
  private Optional<Intervals.Interval> lift(
      final double kpiConfidence,
      final VariantKpis cand,
      final VariantKpis cur,
      final Kpi candidateKpi,
      final Kpi currentKpi) {
    if (candidateKpi == null || currentKpi == null || !(currentKpi.getEstimate() > 0)) {
      return Optional.empty();
    }
    if (candidateKpi.getEstimate() > 0) {
      return KpiCalculator.lift(cand, cur, rule.metric(), kpiConfidence, rule.confidence());
    }
    final double high =
        currentKpi.getLow() > 0
            ? candidateKpi.getHigh() / currentKpi.getLow() - 1
            : Double.POSITIVE_INFINITY;
    return Optional.of(new Intervals.Interval(-1, -1, high));
  }

  private static VariantKpis variant(final ExperimentKpis kpis, final String name) {
    if (kpis == null) {
      return null;
    }
    return kpis.getVariants().stream()
        .filter(v -> v.getVariant().equals(name))
        .findFirst()
        .orElse(null);
  }
}
