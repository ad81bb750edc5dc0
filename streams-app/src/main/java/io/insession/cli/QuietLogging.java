package io.insession.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/** For {@code -q}: from now on only ERROR lines are logged (by InSession, Kafka and the rest). */
final class QuietLogging {

  private QuietLogging() {}

  /** Raises every configured logger (and the root) to ERROR; a no-op without Logback. */
  static void onlyErrors() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      for (final Logger logger : context.getLoggerList()) {
        final Level level = logger.getLevel();
        if (level != null && !level.isGreaterOrEqual(Level.ERROR)) {
          logger.setLevel(Level.ERROR);
        }
      }
      context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.ERROR);
    }
  }
}
