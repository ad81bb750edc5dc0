package io.insession.cli;

import io.insession.config.InSessionConfig;
import io.insession.data.Click;
import io.insession.data.SessionFiles;
import io.insession.data.TopicSessions;
import io.insession.kafka.Topics;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** Where test sessions come from: a file, or a time range of a weblog topic. */
final class TestSessionsOptions {

  /** A file or a topic, one of them. */
  static final class Source {
    @Option(
        names = "--test",
        paramLabel = "FILE",
        description = "Test sessions (formats of the public data sets).")
    Path file;

    @Option(
        names = "--test-topic",
        paramLabel = "TOPIC",
        description = "Read test sessions from this weblog topic instead (see --from, --to).")
    String topic;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  @Option(
      names = "--from",
      paramLabel = "ISO-TIME",
      description = "With --test-topic: first record time (default: the beginning).")
  Instant from;

  @Option(
      names = "--to",
      paramLabel = "ISO-TIME",
      description = "With --test-topic: end record time, exclusive (default: the log end now).")
  Instant to;

  /** The sessions, in order, each with its clicks. */
  Map<String, List<Click>> read(final InSessionConfig config) throws IOException {
    return source.file != null
        ? SessionFiles.readSessions(source.file)
        : TopicSessions.read(
            config.clientProperties(),
            Topics.from(config).weblog().valueSerde().deserializer(),
            source.topic,
            from,
            to);
  }

  /** A short name of the test set: the file name or the topic. */
  String name() {
    return source.file != null ? source.file.getFileName().toString() : source.topic;
  }
}
