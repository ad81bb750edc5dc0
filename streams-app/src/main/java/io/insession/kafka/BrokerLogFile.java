package io.insession.kafka;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * Sends the in-process broker's own (server-side) logging to a file instead of the console: its
 * errors (e.g. {@code OutOfOrderSequenceException} while transactional producers first register)
 * are the broker's business and would interleave with what the demo prints. Kafka clients and
 * Streams keep logging to the console. Only an embedded broker calls this, so other commands create
 * no file.
 */
public final class BrokerLogFile {

  /** Loggers of Kafka's server side (broker, controller, coordinators, storage, raft). */
  static final List<String> SERVER_LOGGERS =
      List.of(
          "kafka",
          "state.change.logger",
          "org.apache.kafka.controller",
          "org.apache.kafka.coordinator",
          "org.apache.kafka.image",
          "org.apache.kafka.metadata",
          "org.apache.kafka.network",
          "org.apache.kafka.queue",
          "org.apache.kafka.raft",
          "org.apache.kafka.server",
          "org.apache.kafka.snapshot",
          "org.apache.kafka.storage");

  private static Path file;

  private BrokerLogFile() {}

  /**
   * Routes the server-side loggers to a new file in the temporary directory, once per JVM.
   *
   * @return the file, or empty when the logging backend is not Logback (then nothing changes)
   */
  public static synchronized Optional<Path> attach() {
    if (file != null) {
      return Optional.of(file);
    }
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return Optional.empty();
    }
    final Path path;
    try {
      path = Files.createTempFile("insession-broker-", ".log");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the embedded broker's log file", e);
    }
    final PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n");
    encoder.start();
    final FileAppender<ILoggingEvent> appender = new FileAppender<>();
    appender.setContext(context);
    appender.setName("embedded-broker");
    appender.setFile(path.toString());
    appender.setEncoder(encoder);
    appender.start();
    for (final String name : SERVER_LOGGERS) {
      final Logger logger = context.getLogger(name);
      logger.setLevel(Level.INFO);
      logger.setAdditive(false);
      logger.addAppender(appender);
    }
    file = path;
    return Optional.of(path);
  }
}
