package io.insession.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one entry point: {@code insession <subcommand>}. */
@Command(
    name = "insession",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Real-time in-session recommendations on Kafka Streams.",
    subcommands = {
      RunCommand.class,
      LookupCommand.class,
      DemoCommand.class,
      EvaluateCommand.class,
      ConfigCommand.class,
      ModelsCommand.class,
      SessionsCommand.class,
      CatalogCommand.class,
      ExperimentsCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main {

  private Main() {}

  /** The CLI, for running and for checking invocations (e.g. in deployment files). */
  public static CommandLine commandLine() {
    return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
  }

  /** Runs the CLI and returns its exit code (testable: no exit here). */
  public static int execute(final String... args) {
    return commandLine().execute(args);
  }

  public static void main(final String[] args) {
    final int code = execute(args);
    // Kafka and Javalin leave non-daemon threads behind; the CLI decides when the JVM ends.
    System.exit(code); // CHECKSTYLE.SUPPRESS: noSystemExit
  }
}
