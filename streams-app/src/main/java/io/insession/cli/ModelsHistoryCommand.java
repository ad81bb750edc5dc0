package io.insession.cli;

import io.insession.deployment.DeploymentLog;
import io.insession.deployment.Deployments;
import io.insession.schemas.ModelDeployment;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code insession models history}: every deployment and refusal, oldest first. */
@Command(
    name = "history",
    mixinStandardHelpOptions = true,
    description = {
      "Every deployment and every refusal on the deployments topic, oldest first,",
      "and which deployment instances serve (the latest one no instance refused)."
    })
final class ModelsHistoryCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin RegistryOptions registry;

  @Override
  public Integer call() throws Exception {
    return ModelsCommand.run(spec, this::history);
  }

  private int history() throws Exception {
    final List<ModelDeployment> records =
        new DeploymentLog(registry.settings()).readAll(ModelsDeployCommand.KAFKA_TIMEOUT);
    final PrintWriter out = spec.commandLine().getOut();
    if (records.isEmpty()) {
      out.println("Nothing deployed yet (insession models deploy --variant ...).");
    }
    for (final ModelDeployment record : records) {
      out.println(
          record.getAt()
              + "  "
              + record.getStatus()
              + "  "
              + record.getDeploymentId()
              + "  by "
              + record.getBy()
              + "  "
              + Deployments.describe(record)
              + (record.getDetail() == null ? "" : "  " + record.getDetail()));
    }
    final Optional<ModelDeployment> current = Deployments.current(records);
    current.ifPresent(deployment -> out.println("Current: " + deployment.getDeploymentId()));
    out.flush();
    return 0;
  }
}
