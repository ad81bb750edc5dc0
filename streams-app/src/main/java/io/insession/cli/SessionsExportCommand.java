package io.insession.cli;

import io.insession.config.InSessionConfig;
import io.insession.data.SessionFileWriter;
import io.insession.data.TopicSessions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code insession sessions export}: the sessions of a time range of the weblog topic as a session
 * file that model-exporter trains on (docs/retraining.md).
 */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Export the sessions of a time range of the weblog topic as a training file for",
      "model-exporter (SessionId, ItemId, Pos, EventTime; tab-separated). The item events that",
      "move the model, in the order the stream scored them; left out and counted: undecodable",
      "records, invalid events, retries, and every event of a session forgotten later."
    })
final class SessionsExportCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ConfigOptions options;

  @Mixin SessionRangeOptions range;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "FILE",
      description = "The session file to write (e.g. train.tsv).")
  Path out;

  @Option(
      names = {"-q", "--quiet"},
      description = "No progress bar.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    final InSessionConfig config = options.load(Map.of());
    final SessionRangeOptions.Range resolved;
    try {
      resolved = range.resolve(config, Instant.now());
    } catch (final IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    final PrintWriter err = spec.commandLine().getErr();
    final TopicSessions.Read read;
    try {
      read = SessionRangeOptions.read(config, resolved, !quiet);
    } catch (final SessionRangeOptions.EmptyRangeException e) {
      err.println(spec.qualifiedName() + ": " + e.getMessage());
      err.flush();
      return SessionsCommand.EXIT_EMPTY;
    } catch (final KafkaException | IllegalArgumentException e) {
      err.println(spec.qualifiedName() + ": cannot read " + resolved + ": " + e.getMessage());
      err.flush();
      return SessionsCommand.EXIT_KAFKA;
    }
    final SessionFileWriter.Written written = SessionFileWriter.write(out, read.sessions());
    SessionRangeOptions.print(spec.commandLine().getOut(), resolved, read, written);
    spec.commandLine().getOut().println("  written to " + out);
    spec.commandLine().getOut().flush();
    return 0;
  }
}
