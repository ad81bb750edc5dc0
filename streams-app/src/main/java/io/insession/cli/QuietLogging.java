package io.insession.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * For {@code -q}: only ERROR lines are logged (by InSession, Kafka and the rest) until {@link
 * #restore()} puts the levels back (a command may run inside a longer-lived JVM, e.g. a test).
 */
final class QuietLogging {

  /** The level each changed logger had (null: inherited). */
  private final Map<Logger, Level> before;

  private QuietLogging(final Map<Logger, Level> before) {
    this.before = before;
  }

  /** Raises every configured logger (and the root) to ERROR; a no-op without Logback. */
  static QuietLogging onlyErrors() {
    final Map<Logger, Level> before = new HashMap<>();
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      final Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      for (final Logger logger : context.getLoggerList()) {
        final Level level = logger.getLevel();
        if (logger == root || level != null && !level.isGreaterOrEqual(Level.ERROR)) {
          before.put(logger, level);
          logger.setLevel(Level.ERROR);
        }
      }
    }
    return new QuietLogging(before);
  }

  /** Puts back the levels {@link #onlyErrors()} changed. */
  void restore() {
    before.forEach(Logger::setLevel);
  }
}
