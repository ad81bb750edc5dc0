package io.insession.cli;

import io.insession.registry.CorruptModelVersionException;
import io.insession.registry.ModelNotFoundException;
import io.insession.registry.ModelRegistryException;
import io.insession.registry.VersionConflictException;
import io.insession.scoring.InvalidModelBundleException;
import java.io.PrintWriter;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** {@code insession models}: the model registry (docs/model-registry.md). */
@Command(
    name = "models",
    mixinStandardHelpOptions = true,
    description = {
      "Publish, list and show model versions in the model registry; deploy them,",
      "see the deployment history and roll back, or roll out step by step with an",
      "automatic rollback (canary); make keys to sign versions with.",
      "The registry (--registry DIR or insession.registry.dir) holds immutable,",
      "verified bundles, shared by every instance: a directory or a volume they",
      "all mount. Deployments are records on a compacted Kafka topic that every",
      "instance follows (insession.topic.deployments). See docs/model-registry.md",
      "and docs/roll-outs.md."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:done (publishing the same content again is done too)",
      "1:the registry or the deployments topic cannot be read or written",
      "2:bad usage: unknown option, no bundle directory, no registry, bad name or variant",
      "3:unknown model name, version or parent; nothing to roll back to",
      "4:refused: invalid or tampered bundle, version taken by other content,"
          + " damaged stored version",
      "5:gate, retrain: the candidate failed the promotion gate (retrain: nothing published)",
      "6:retrain: no model trained (empty range, too few sessions, Python or torch missing,"
          + " the exporter failed); canary: rolled back (the candidate was worse, or a step"
          + " timed out with rollback)",
      "7:retrain: published, but the --then command failed; canary: held (a step timed out"
          + " with hold)"
    },
    subcommands = {
      ModelsPublishCommand.class,
      ModelsListCommand.class,
      ModelsShowCommand.class,
      ModelsDeployCommand.class,
      ModelsHistoryCommand.class,
      ModelsRollbackCommand.class,
      ModelsKeygenCommand.class,
      ModelsGateCommand.class,
      ModelsRetrainCommand.class,
      ModelsCanaryCommand.class,
      CommandLine.HelpCommand.class
    })
final class ModelsCommand {

  /** Exit code: the registry cannot be read or written. */
  static final int EXIT_IO = 1;

  /** Exit code: unknown model name, version or parent. */
  static final int EXIT_NOT_FOUND = 3;

  /** Exit code: the registry refused the bundle or a stored version. */
  static final int EXIT_REFUSED = 4;

  /** What a models subcommand does with the registry; returns the exit code. */
  @FunctionalInterface
  interface Action {
    int run() throws Exception;
  }

  /**
   * Runs {@code action}, turning registry errors into a one-line message on stderr and an exit code
   * (usage errors go to picocli, which prints the usage).
   */
  static int run(final CommandSpec spec, final Action action) throws Exception {
    final PrintWriter err = spec.commandLine().getErr();
    final String command = spec.qualifiedName();
    try {
      return action.run();
    } catch (final ParameterException e) {
      throw e;
    } catch (final IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    } catch (final ModelNotFoundException e) {
      err.println(command + ": " + e.getMessage());
      return EXIT_NOT_FOUND;
    } catch (final InvalidModelBundleException e) {
      err.println(command + ": invalid model bundle, refused: " + e.getMessage());
      return EXIT_REFUSED;
    } catch (final VersionConflictException | CorruptModelVersionException e) {
      err.println(command + ": " + e.getMessage());
      return EXIT_REFUSED;
    } catch (final ModelRegistryException | KafkaException e) {
      err.println(command + ": " + e.getMessage());
      return EXIT_IO;
    }
  }
}
