package io.insession.cli;

import io.insession.config.InSessionConfig;
import io.insession.deployment.DeploymentLog;
import io.insession.deployment.Deployments;
import io.insession.kafka.TopicSetup;
import io.insession.registry.ModelRef;
import io.insession.registry.ModelRegistry;
import io.insession.registry.PublishOptions;
import io.insession.runtime.InSessionTopics;
import io.insession.schemas.DeployedVariant;
import io.insession.schemas.ModelDeployment;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
    final ModelDeployment deployment =
        Deployments.deploy(
            parsed,
            salt != null ? salt : config.getString(InSessionConfig.VARIANTS_SALT),
            PublishOptions.defaultPublisher(),
            Instant.now(),
            note);
    write(config, deployment);
    final PrintWriter out = spec.commandLine().getOut();
    out.println(
        "Deployed "
            + deployment.getDeploymentId()
            + ": "
            + Deployments.describe(deployment)
            + "; running instances swap it in (models history shows refusals)");
    out.flush();
    return 0;
  }

  /** Creates the deployments topic when missing and appends {@code deployment}. */
  static void write(final InSessionConfig config, final ModelDeployment deployment) {
    TopicSetup.ensureTopics(config, List.of(InSessionTopics.deployments(config)), KAFKA_TIMEOUT);
    new DeploymentLog(config).append(deployment, KAFKA_TIMEOUT);
  }
}
