package io.insession.cli;

import io.insession.config.InSessionConfig;
import io.insession.config.VariantSpec;
import io.insession.deployment.Canary;
import io.insession.deployment.CanaryPlan;
import io.insession.deployment.CanaryPolicy;
import io.insession.deployment.DeploymentLog;
import io.insession.deployment.Deployments;
import io.insession.experiments.ExperimentFollower;
import io.insession.kafka.TopicSetup;
import io.insession.registry.ModelRef;
import io.insession.registry.ModelRegistry;
import io.insession.registry.PublishOptions;
import io.insession.runtime.InSessionTopics;
import io.insession.schemas.DeployedVariant;
import io.insession.schemas.ExperimentKpis;
import io.insession.schemas.ModelDeployment;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code insession models canary}: a step-by-step roll-out that rolls back by itself. */
@Command(
    name = "canary",
    mixinStandardHelpOptions = true,
    description = {
      "Roll a candidate out step by step in place of a served variant (e.g. 5, 25, 50 and",
      "100 % of its weight, same salt: the experiment continues), watching the live KPIs",
      "(insession.topic.experiments): roll back when the candidate's lift over the variant",
      "it replaces lies wholly below -margin, advance once a step has enough sessions and",
      "is not worse, hold or roll back when a step times out. Each step and the rollback",
      "are deployments whose note holds the decision's figures (models history).",
      "Exit 0: completed; 6: rolled back; 7: held. See docs/roll-outs.md, \"Canary\"."
    })
final class ModelsCanaryCommand implements Callable<Integer> {

  /** Exit code: the canary rolled back. */
  static final int EXIT_ROLLED_BACK = 6;

  /** Exit code: a step timed out and holds its weights. */
  static final int EXIT_HELD = 7;

  private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  @Spec CommandSpec spec;

  @Mixin RegistryOptions registry;

  @Option(
      names = "--candidate",
      required = true,
      paramLabel = "SOURCE",
      description = {
        "The candidate: a registry reference NAME:VERSION, or a bundle directory",
        "(as models deploy's SOURCE)."
      })
  String candidate;

  @Option(
      names = "--current",
      required = true,
      paramLabel = "VARIANT",
      description = "The served variant the candidate replaces, e.g. gru.")
  String current;

  @Option(
      names = "--name",
      paramLabel = "VARIANT",
      defaultValue = "canary",
      description = {
        "The candidate variant's name (default ${DEFAULT-VALUE}); it must be new to the",
        "experiment, so that its figures are the candidate's alone."
      })
  String name;

  @Option(
      names = "--steps",
      paramLabel = "P,P,...",
      description =
          "The candidate's share of the current variant's weight, in % (default:"
              + " insession.canary.steps, 5,25,50,100).")
  String steps;

  @Option(
      names = "--step-min-sessions",
      paramLabel = "N",
      description =
          "New sessions of the candidate a step needs before it may advance (default:"
              + " insession.canary.step.min.sessions).")
  Long stepMinSessions;

  @Option(
      names = "--max-step-time",
      paramLabel = "DURATION",
      description =
          "How long a step may wait for a decision, e.g. 30m, 2h, 90s or PT1H (default:"
              + " insession.canary.max.step.ms).")
  String maxStepTime;

  @Option(
      names = "--on-timeout",
      paramLabel = "hold|rollback",
      description = "What a step that timed out does (default: insession.canary.on.timeout).")
  String onTimeout;

  @Option(
      names = "--metric",
      paramLabel = "KPI",
      description = {
        "ctr, add_to_cart_rate, conversion_rate, average_order_value or",
        "revenue_per_session (default: insession.canary.metric)."
      })
  String metric;

  @Option(
      names = "--confidence",
      paramLabel = "C",
      description =
          "Confidence of the lift's interval (default: insession.experiments.confidence).")
  Double confidence;

  @Option(
      names = "--margin",
      paramLabel = "FRACTION",
      description = "Relative loss tolerated (default: insession.canary.margin).")
  Double margin;

  @Override
  public Integer call() throws Exception {
    return ModelsCommand.run(spec, this::canary);
  }

  private int canary() throws Exception {
    final InSessionConfig config;
    try {
      config = registry.settings(overrides());
    } catch (final ConfigException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    final DeployedVariant next = Deployments.parseVariant(name + "=" + candidate + ":1");
    if (next.getSource().equals(VariantSpec.POPULAR)) {
      throw new IllegalArgumentException("the candidate must be a model, not 'popular'");
    }
    final Optional<ModelRegistry> models = registry.openIfConfigured();
    final Optional<ModelRef> ref = Deployments.registryRef(next.getSource());
    if (models.isPresent() && ref.isPresent()) {
      models.get().show(ref.get());
    }
    final PrintWriter out = spec.commandLine().getOut();
    TopicSetup.ensureTopics(
        config, List.of(InSessionTopics.deployments(config)), ModelsDeployCommand.KAFKA_TIMEOUT);
    final ModelDeployment base = base(config, out);
    final CanaryPlan plan = new CanaryPlan(base.getVariants(), current, next, config.canarySteps());
    final Optional<ExperimentKpis> before =
        ExperimentFollower.readAll(config, ModelsDeployCommand.KAFKA_TIMEOUT)
            .sinceStart(base.getSalt());
    if (before.isPresent()
        && before.get().getVariants().stream().anyMatch(v -> v.getVariant().equals(name))) {
      throw new IllegalArgumentException(
          "experiment '"
              + base.getSalt()
              + "' already has figures for a variant '"
              + name
              + "' (an earlier canary?): choose another --name");
    }
    final CanaryPolicy policy = new CanaryPolicy(CanaryPolicy.Rule.of(config), name, current);
    out.println(
        "Canary of "
            + name
            + "="
            + next.getSource()
            + " in place of "
            + current
            + ", experiment '"
            + base.getSalt()
            + "', steps "
            + plan.steps()
            + " %, rule: "
            + rule(policy.rule()));
    out.flush();
    try (ExperimentFollower follower = ExperimentFollower.start(config)) {
      final Canary.Result result =
          new Canary(
                  plan,
                  policy,
                  base,
                  PublishOptions.defaultPublisher(),
                  () -> follower.board().sinceStart(base.getSalt()),
                  deployment -> ModelsDeployCommand.write(config, deployment),
                  Clock.systemUTC(),
                  duration -> Thread.sleep(duration.toMillis()),
                  Duration.ofMillis(config.getLong(InSessionConfig.CANARY_CHECK_INTERVAL_MS)),
                  out)
              .run();
      return switch (result.outcome()) {
        case COMPLETED -> 0;
        case ROLLED_BACK -> EXIT_ROLLED_BACK;
        case HELD -> EXIT_HELD;
      };
    }
  }

  /**
   * The deployment serving now; before any deployment, the configured variants deployed as they are
   * (so that a rollback has a deployment to go back to).
   */
  private static ModelDeployment base(final InSessionConfig config, final PrintWriter out) {
    final Optional<ModelDeployment> now =
        Deployments.current(new DeploymentLog(config).readAll(ModelsDeployCommand.KAFKA_TIMEOUT));
    if (now.isPresent()) {
      return now.get();
    }
    final List<DeployedVariant> configured = new ArrayList<>();
    for (final VariantSpec variant : config.variants()) {
      configured.add(new DeployedVariant(variant.name(), variant.source(), variant.weight()));
    }
    final ModelDeployment deployment =
        Deployments.deploy(
            configured,
            config.getString(InSessionConfig.VARIANTS_SALT),
            PublishOptions.defaultPublisher(),
            Instant.now(),
            "canary base: the configured variants (" + InSessionConfig.VARIANTS + ")");
    ModelsDeployCommand.write(config, deployment);
    out.println(
        "No deployment yet: deployed the configured variants as "
            + deployment.getDeploymentId()
            + " to roll back to: "
            + Deployments.describe(deployment));
    return deployment;
  }

  private static String rule(final CanaryPolicy.Rule rule) {
    return String.format(
        Locale.ROOT,
        "%s, roll back when the lift's %.0f %% interval lies below -%.1f %%; advance after %d new"
            + " sessions; after %s %s",
        rule.metric(),
        100 * rule.confidence(),
        100 * rule.margin(),
        rule.minSessions(),
        rule.maxStepTime(),
        rule.onTimeout() == CanaryPolicy.OnTimeout.HOLD ? "hold" : "roll back");
  }

  /** The options given, as the {@code insession.canary.*} settings they stand for. */
  private Map<String, String> overrides() {
    final Map<String, String> settings = new HashMap<>();
    if (steps != null) {
      settings.put(InSessionConfig.CANARY_STEPS, steps);
    }
    if (stepMinSessions != null) {
      settings.put(InSessionConfig.CANARY_STEP_MIN_SESSIONS, stepMinSessions.toString());
    }
    if (maxStepTime != null) {
      settings.put(
          InSessionConfig.CANARY_MAX_STEP_MS, Long.toString(parseDuration(maxStepTime).toMillis()));
    }
    if (onTimeout != null) {
      settings.put(InSessionConfig.CANARY_ON_TIMEOUT, onTimeout.strip().toLowerCase(Locale.ROOT));
    }
    if (metric != null) {
      settings.put(InSessionConfig.CANARY_METRIC, metric.strip());
    }
    if (confidence != null) {
      settings.put(InSessionConfig.EXPERIMENTS_CONFIDENCE, confidence.toString());
    }
    if (margin != null) {
      settings.put(InSessionConfig.CANARY_MARGIN, margin.toString());
    }
    return settings;
  }

  /**
   * {@code 90s}, {@code 30m}, {@code 2h}, {@code 1d}, {@code 500ms} or ISO-8601 ({@code PT1H}).
   *
   * @throws IllegalArgumentException for anything else
   */
  static Duration parseDuration(final String text) {
    final String trimmed = text.strip().toLowerCase(Locale.ROOT);
    final Matcher simple = SIMPLE_DURATION.matcher(trimmed);
    if (simple.matches()) {
      final long amount = Long.parseLong(simple.group(1));
      return switch (simple.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        default -> Duration.ofDays(amount);
      };
    }
    try {
      return Duration.parse(trimmed.toUpperCase(Locale.ROOT));
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException(
          "duration '" + text + "' is neither like 30m, 2h, 90s nor ISO-8601 (PT30M)", e);
    }
  }
}
