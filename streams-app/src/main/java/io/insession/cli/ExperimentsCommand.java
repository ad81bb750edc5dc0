package io.insession.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code insession experiments}: the live KPIs of A/B experiments (docs/experiments.md). */
@Command(
    name = "experiments",
    mixinStandardHelpOptions = true,
    description = {
      "The live KPIs per variant of A/B experiments, as the stream writes them to the",
      "experiment KPIs topic (insession.topic.experiments). See docs/experiments.md."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:printed",
      "1:Kafka cannot be reached or the topic cannot be read",
      "2:bad usage",
      "3:no KPIs for the experiment (or none at all) yet"
    },
    subcommands = {ExperimentsShowCommand.class, CommandLine.HelpCommand.class})
final class ExperimentsCommand {

  /** Exit code: Kafka cannot be reached or the topic cannot be read. */
  static final int EXIT_KAFKA = 1;

  /** Exit code: nothing to show. */
  static final int EXIT_UNKNOWN = 3;
}
