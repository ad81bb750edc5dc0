package io.insession.cli;

import io.insession.config.InSessionConfig;
import io.insession.deployment.DeploymentLog;
import io.insession.deployment.Deployments;
import io.insession.registry.PublishOptions;
import io.insession.schemas.ModelDeployment;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code insession models rollback}: deploys the previous good deployment again. */
@Command(
    name = "rollback",
    mixinStandardHelpOptions = true,
    description = {
      "Deploy again the good deployment before the current one (a good deployment is",
      "one no instance refused), as a new deployment noted 'rollback to <id>'."
    })
final class ModelsRollbackCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin RegistryOptions registry;

  @Override
  public Integer call() throws Exception {
    return ModelsCommand.run(spec, this::rollback);
  }

  private int rollback() throws Exception {
    final InSessionConfig config = registry.settings();
    final List<ModelDeployment> records =
        new DeploymentLog(config).readAll(ModelsDeployCommand.KAFKA_TIMEOUT);
    final Optional<ModelDeployment> previous = Deployments.previous(records);
    if (previous.isEmpty()) {
      spec.commandLine()
          .getErr()
          .println(
              spec.qualifiedName()
                  + ": no earlier good deployment to roll back to (models history lists them)");
      return ModelsCommand.EXIT_NOT_FOUND;
    }
    final ModelDeployment target = previous.get();
    final ModelDeployment deployment =
        Deployments.rollbackTo(target, PublishOptions.defaultPublisher(), Instant.now(), null);
    ModelsDeployCommand.write(config, deployment);
    final PrintWriter out = spec.commandLine().getOut();
    out.println(
        "Rolled back to "
            + target.getDeploymentId()
            + " as "
            + deployment.getDeploymentId()
            + ": "
            + Deployments.describe(deployment));
    out.flush();
    return 0;
  }
}
