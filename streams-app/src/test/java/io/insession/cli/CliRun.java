package io.insession.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/**
 * What one CLI invocation (through picocli, in this JVM) printed and returned.
 *
 * @param code the exit code
 * @param out what it printed on stdout
 * @param err what it printed on stderr
 */
record CliRun(int code, String out, String err) {

  /** Runs {@code insession ARGS...} with captured output. */
  static CliRun execute(final List<String> args) {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final picocli.CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    final int code = cli.execute(args.toArray(String[]::new));
    return new CliRun(code, out.toString(), err.toString());
  }
}
