package io.insession.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code insession sessions}: operations on visitors' sessions (docs/privacy.md). */
@Command(
    name = "sessions",
    mixinStandardHelpOptions = true,
    description = {
      "Operate on visitors' sessions: forget one (its state, its changelog entry, its lists);",
      "export a time range of them as a training file. See docs/privacy.md and",
      "docs/retraining.md."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:done: Kafka acknowledged the request (forgetting an unknown session is done too);"
          + " the file is written",
      "1:Kafka cannot be reached or did not acknowledge the request; retry",
      "2:bad usage: no session id, an empty one, or one over insession.event.max.session.id.chars;"
          + " no or an empty time range",
      "3:export: the time range holds no click"
    },
    subcommands = {
      SessionsForgetCommand.class,
      SessionsExportCommand.class,
      CommandLine.HelpCommand.class
    })
final class SessionsCommand {

  /** Exit code: Kafka cannot be reached or did not acknowledge. */
  static final int EXIT_KAFKA = 1;

  /** Exit code: the exported time range holds no click. */
  static final int EXIT_EMPTY = 3;
}
