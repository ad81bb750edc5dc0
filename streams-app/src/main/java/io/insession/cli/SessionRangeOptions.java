package io.insession.cli;

import io.insession.config.InSessionConfig;
import io.insession.data.SessionFileWriter;
import io.insession.data.SkipReason;
import io.insession.data.TopicSessions;
import io.insession.evaluation.Progress;
import io.insession.kafka.Topics;
import io.insession.session.EventLimits;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * A time range of the weblog topic to read sessions from ({@code sessions export}, {@code models
 * retrain}): {@code --from [--to]} or {@code --last}, fixed once when the command starts.
 */
final class SessionRangeOptions {

  /** Where the range starts: a time, or a duration back from now. */
  static final class Start {
    @Option(
        names = "--from",
        paramLabel = "ISO-TIME",
        description = "First record time, e.g. 2026-11-26T00:00:00Z.")
    Instant from;

    @Option(
        names = "--last",
        paramLabel = "DURATION",
        description = "The range is the last DURATION up to now (ISO-8601: P7D, PT12H).")
    Duration last;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Start start;

  @Option(
      names = "--to",
      paramLabel = "ISO-TIME",
      description = "End record time, exclusive (default: now).")
  Instant to;

  @Option(
      names = "--topic",
      paramLabel = "TOPIC",
      description = "The weblog topic (default: insession.topic.weblog).")
  String topic;

  /**
   * A resolved range.
   *
   * @param topic the topic
   * @param from first record time
   * @param to end record time, exclusive
   */
  record Range(String topic, Instant from, Instant to) {
    @Override
    public String toString() {
      return topic + " [" + from + ", " + to + ")";
    }
  }

  /** The range, with {@code now} for {@code --last} and a missing {@code --to}. */
  Range resolve(final InSessionConfig config, final Instant now) {
    if (start.last != null && (start.last.isNegative() || start.last.isZero())) {
      throw new IllegalArgumentException("--last must be a positive duration, got " + start.last);
    }
    if (start.last != null && to != null) {
      throw new IllegalArgumentException("--to goes with --from; --last ends now");
    }
    final Instant end = to != null ? to : now;
    final Instant begin = start.from != null ? start.from : end.minus(start.last);
    if (!begin.isBefore(end)) {
      throw new IllegalArgumentException(
          "empty time range: --from " + begin + " is not before --to " + end);
    }
    return new Range(
        topic != null ? topic : config.getString(InSessionConfig.WEBLOG_TOPIC), begin, end);
  }

  /**
   * Reads the range's sessions, with a progress bar on a terminal when {@code progress}.
   *
   * @throws EmptyRangeException when the range holds no click
   */
  static TopicSessions.Read read(
      final InSessionConfig config, final Range range, final boolean progress) {
    final Progress[] bar = {Progress.NONE};
    final TopicSessions.Read read;
    try {
      read =
          TopicSessions.readAll(
              config.clientProperties(),
              Topics.from(config).weblog().valueSerde().deserializer(),
              range.topic(),
              range.from(),
              range.to(),
              EventLimits.from(config),
              new TopicSessions.Listener() {
                @Override
                public void started(final long records) {
                  bar[0] = Progress.forTask(progress, "export", records, "records");
                }

                @Override
                public void advanced(final long records) {
                  bar[0].advance(records);
                }
              });
    } finally {
      bar[0].close();
    }
    if (read.sessions().isEmpty()) {
      throw new EmptyRangeException(
          "no clicks in "
              + range
              + ": "
              + String.format(Locale.ROOT, "%,d", read.records())
              + " records in the range ("
              + summary(read, null)
              + "). Check --from/--to (record times, UTC) and --topic.");
    }
    return read;
  }

  /** The counts of a read (and of the file written from it, if any), on one line. */
  static String summary(final TopicSessions.Read read, final SessionFileWriter.Written written) {
    final StringBuilder line = new StringBuilder();
    final long sessions = written != null ? written.sessions() : read.sessions().size();
    final long clicks = written != null ? written.clicks() : read.clicks();
    line.append(String.format(Locale.ROOT, "%,d sessions, %,d clicks", sessions, clicks));
    line.append(String.format(Locale.ROOT, "; %,d other events", read.otherEvents()));
    final Map<SkipReason, Long> skipped = new EnumMap<>(SkipReason.class);
    skipped.putAll(read.skipped());
    if (written != null && written.unwritable() > 0) {
      skipped.put(SkipReason.UNWRITABLE_ID, written.unwritable());
    }
    if (skipped.isEmpty()) {
      line.append("; nothing skipped");
    } else {
      skipped.forEach(
          (reason, count) ->
              line.append(
                  String.format(Locale.ROOT, "; skipped %,d %s", count, reason.description())));
    }
    return line.toString();
  }

  /** The range holds no click: nothing to export or train on. */
  static final class EmptyRangeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    EmptyRangeException(final String message) {
      super(message);
    }
  }

  /** Prints the range's figures. */
  static void print(
      final PrintWriter out,
      final Range range,
      final TopicSessions.Read read,
      final SessionFileWriter.Written written) {
    out.printf(
        Locale.ROOT,
        "Exported %s: %,d records read%n  %s%n",
        range,
        read.records(),
        summary(read, written));
    out.flush();
  }
}
