package io.insession.load.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The load generator's entry point: {@code load-tests/run <subcommand>}. */
@Command(
    name = "insession-load",
    mixinStandardHelpOptions = true,
    description = {
      "Load tests of InSession: end-to-end replay (fixed rate or ramp), lookup API GETs, the",
      "lookup API's start-up vs the recommendations topic's history, and the model's cost split. JMH benchmarks: load-tests/run jmh [JMH options]."
    },
    subcommands = {
      StreamCommand.class,
      LookupCommand.class,
      HistoryCommand.class,
      FailoverCommand.class,
      PostCommand.class,
      ProfileModelCommand.class,
      CommandLine.HelpCommand.class
    })
public final class LoadMain {

  private LoadMain() {}

  /** Runs the CLI and returns its exit code (testable: no exit here). */
  public static int execute(final String... args) {
    return new CommandLine(new LoadMain()).execute(args);
  }

  public static void main(final String[] args) {
    final int code = execute(args);
    // Kafka clients and the embedded broker leave non-daemon threads behind.
    System.exit(code); // CHECKSTYLE.SUPPRESS: noSystemExit
  }
}
