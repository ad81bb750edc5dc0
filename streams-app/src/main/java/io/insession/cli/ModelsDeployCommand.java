package io.insession.cli;

import io.insession.config.InSessionConfig;
import io.insession.config.VariantSpec;
import io.insession.data.Click;
import io.insession.data.SessionFiles;
import io.insession.deployment.DeploymentLog;
import io.insession.deployment.Deployments;
import io.insession.evaluation.PromotionGate;
import io.insession.kafka.TopicSetup;
import io.insession.registry.ModelRef;
import io.insession.registry.ModelRegistry;
import io.insession.registry.PublishOptions;
import io.insession.runtime.InSessionTopics;
import io.insession.schemas.DeployedVariant;
import io.insession.schemas.ModelDeployment;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code insession models deploy}: a new deployment on the deployments topic. */
@Command(
    name = "deploy",
    mixinStandardHelpOptions = true,
    description = {
      "Deploy a set of weighted variants: every running instance opens, verifies and",
      "warms them, then swaps them in without a restart (or refuses them and keeps",
      "serving; see `models history`). Registry references are checked here when a",
      "registry is configured, and resolved and verified by every instance."
    })
final class ModelsDeployCommand implements Callable<Integer> {

  static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(30);

  @Spec CommandSpec spec;

  @Mixin RegistryOptions registry;

  @Option(
      names = "--variant",
      required = true,
      paramLabel = "NAME=SOURCE:WEIGHT",
      description = {
        "A variant (repeatable, in assignment order). SOURCE is a registry reference",
        "NAME:VERSION, 'popular' (the most-viewed items of the first model) or a bundle",
        "directory. E.g. --variant gru=gru4rec-demo:V2:90 --variant control=popular:10"
      })
  List<String> variants = new ArrayList<>();

  @Option(
      names = "--salt",
      paramLabel = "SALT",
      description = "The experiment's salt (default: insession.variants.salt).")
  String salt;

  @Option(names = "--note", paramLabel = "TEXT", description = "A note kept with the deployment.")
  String note;

  @Option(
      names = "--gate-test",
      paramLabel = "FILE",
      description = {
        "Require the promotion gate (models gate, docs/promotion-gate.md) first: each model",
        "variant whose source changes must not be worse than the model it replaces (the current",
        "deployment's variant of that name, else its first model, else the configured bundle)",
        "on these test sessions. Nothing is deployed when one fails (exit 5)."
      })
  Path gateTest;

  @Option(
      names = "--gate-margin",
      paramLabel = "FRACTION",
      description = "The gate's relative margin (default: models gate's).")
  Double gateMargin;

  @Override
  public Integer call() throws Exception {
    return ModelsCommand.run(spec, this::deploy);
  }

  private int deploy() throws Exception {
    final List<DeployedVariant> parsed = new ArrayList<>();
    for (final String variant : variants) {
      parsed.add(Deployments.parseVariant(variant));
    }
    Deployments.specs(parsed);
    final Optional<ModelRegistry> models = registry.openIfConfigured();
    if (models.isPresent()) {
      for (final DeployedVariant variant : parsed) {
        final Optional<ModelRef> ref = Deployments.registryRef(variant.getSource());
        if (ref.isPresent()) {
          models.get().show(ref.get());
        }
      }
    }
    final InSessionConfig config = registry.settings();
    final PrintWriter out = spec.commandLine().getOut();
    if (gateTest != null && !passesGate(config, parsed, out)) {
      out.println("Nothing deployed: a candidate failed the promotion gate");
      out.flush();
      return ModelsGateCommand.EXIT_FAILED;
    }
    final ModelDeployment deployment =
        Deployments.deploy(
            parsed,
            salt != null ? salt : config.getString(InSessionConfig.VARIANTS_SALT),
            PublishOptions.defaultPublisher(),
            Instant.now(),
            note);
    write(config, deployment);
    out.println(
        "Deployed "
            + deployment.getDeploymentId()
            + ": "
            + Deployments.describe(deployment)
            + "; running instances swap it in (models history shows refusals)");
    out.flush();
    return 0;
  }

  /** Whether every model variant that changes passes the gate against what it replaces. */
  private boolean passesGate(
      final InSessionConfig config, final List<DeployedVariant> next, final PrintWriter out)
      throws IOException {
    TopicSetup.ensureTopics(config, List.of(InSessionTopics.deployments(config)), KAFKA_TIMEOUT);
    final Optional<ModelDeployment> now =
        Deployments.current(new DeploymentLog(config).readAll(KAFKA_TIMEOUT));
    final PromotionGate.Rule defaults = PromotionGate.Rule.defaults();
    final PromotionGate.Rule rule =
        gateMargin == null
            ? defaults
            : new PromotionGate.Rule(
                defaults.cutoff(),
                gateMargin,
                defaults.confidence(),
                defaults.resamples(),
                defaults.seed());
    final Map<String, List<Click>> sessions = SessionFiles.readSessions(gateTest);
    final GateRunner gate = new GateRunner(spec, registry, config, null, false);
    for (final DeployedVariant variant : next) {
      final String candidate = variant.getSource();
      final String replaced = replacedModel(now, variant.getName());
      if (candidate.equals(VariantSpec.POPULAR) || candidate.equals(replaced)) {
        continue;
      }
      final PromotionGate.Verdict verdict =
          gate.verdict(candidate, replaced, sessions, gateTest.getFileName().toString(), rule);
      ModelsGateCommand.print(out, verdict);
      if (!verdict.passed()) {
        return false;
      }
    }
    return true;
  }

  /**
   * The model source a variant named {@code name} replaces: the current deployment's variant of
   * that name, else its first model variant, else the configured bundle.
   */
  private static String replacedModel(final Optional<ModelDeployment> now, final String name) {
    if (now.isEmpty()) {
      return "bundle";
    }
    final List<DeployedVariant> models =
        now.get().getVariants().stream()
            .filter(v -> !v.getSource().equals(VariantSpec.POPULAR))
            .toList();
    return models.stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .or(() -> models.stream().findFirst())
        .map(DeployedVariant::getSource)
        .orElse("bundle");
  }

  /** Creates the deployments topic when missing and appends {@code deployment}. */
  static void write(final InSessionConfig config, final ModelDeployment deployment) {
    TopicSetup.ensureTopics(config, List.of(InSessionTopics.deployments(config)), KAFKA_TIMEOUT);
    new DeploymentLog(config).append(deployment, KAFKA_TIMEOUT);
  }
}
