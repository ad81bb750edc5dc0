package io.insession.demo;

import io.insession.config.InSessionConfig;
import io.insession.deployment.DeploymentLog;
import io.insession.deployment.Deployments;
import io.insession.registry.FileSystemModelRegistry;
import io.insession.registry.ModelVersion;
import io.insession.registry.PublishOptions;
import io.insession.schemas.DeployedVariant;
import io.insession.schemas.ModelDeployment;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The demo's roll-out: the served bundle published into a temporary registry under its own version
 * and again under a new one, and the new one deployed through the deployments topic as {@code
 * models deploy} does, so that the instance's follower opens, verifies and warms it and swaps it
 * in.
 *
 * @param registryDir the temporary registry
 * @param next the version deployed halfway through the replay
 */
record Rollout(Path registryDir, ModelVersion next, PrintStream out) {

  private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(30);
  private static final String SUFFIX = "-rollout";

  /** Publishes {@code bundle} twice into a registry at {@code registryDir}. */
  static Rollout publish(final Path bundle, final Path registryDir, final PrintStream out) {
    final FileSystemModelRegistry registry = new FileSystemModelRegistry(registryDir);
    final ModelVersion current = registry.publish(bundle, PublishOptions.defaults()).model();
    final ModelVersion next =
        registry
            .publish(
                bundle,
                PublishOptions.defaults()
                    .withVersion(current.version() + SUFFIX)
                    .withParent(current.version()))
            .model();
    out.printf(
        Locale.ROOT,
        "Roll-out: published %s and %s (the same bundle under a new version) into %s.%n",
        current.ref(),
        next.ref(),
        registryDir);
    return new Rollout(registryDir, next, out);
  }

  /**
   * Deploys the new version as {@code variant} (weight 1) through the deployments topic.
   *
   * @return the deployment's id
   */
  String deploy(final InSessionConfig config, final String variant, final RolloutTracker tracker) {
    final ModelDeployment deployment =
        Deployments.deploy(
            List.of(new DeployedVariant(variant, next.ref().toString(), 1)),
            config.getString(InSessionConfig.VARIANTS_SALT),
            PublishOptions.defaultPublisher(),
            Instant.now(),
            "demo roll-out");
    tracker.deployed(next.version(), deployment.getAt());
    new DeploymentLog(config).append(deployment, KAFKA_TIMEOUT);
    out.printf(
        Locale.ROOT,
        "── Deployed %s: %s; the instance opens, verifies and warms it, then swaps it in ──%n",
        deployment.getDeploymentId(),
        Deployments.describe(deployment));
    return deployment.getDeploymentId();
  }
}
