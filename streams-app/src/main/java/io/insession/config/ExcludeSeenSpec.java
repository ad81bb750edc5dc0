package io.insession.config;

import java.util.Locale;
import java.util.Objects;

/**
 * The value of {@code insession.rules.exclude.seen}: which of the session's own items the served
 * lists leave out.
 *
 * <ul>
 *   <li>{@code all}: every item among the session's remembered recent items (the default);
 *   <li>{@code last:N}: the items of the session's last N item events (the current one included),
 *       so an item seen longer ago may come back;
 *   <li>{@code bought}: only the items the session purchased;
 *   <li>{@code off}: nothing.
 * </ul>
 *
 * @param mode what is excluded
 * @param lastEvents N of {@code last:N}; 0 for the other modes
 */
public record ExcludeSeenSpec(Mode mode, int lastEvents) {

  /** What is excluded. */
  public enum Mode {
    /** Nothing. */
    OFF,
    /** The items the session bought. */
    BOUGHT,
    /** The items of the last N item events. */
    LAST,
    /** Every remembered recent item. */
    ALL
  }

  /** The accepted spellings, for messages and docs. */
  public static final String SYNTAX = "all, off, bought or last:N (N >= 1)";

  /** Every remembered recent item. */
  public static final ExcludeSeenSpec ALL = new ExcludeSeenSpec(Mode.ALL, 0);

  /** Nothing. */
  public static final ExcludeSeenSpec OFF = new ExcludeSeenSpec(Mode.OFF, 0);

  /** Only purchased items. */
  public static final ExcludeSeenSpec BOUGHT = new ExcludeSeenSpec(Mode.BOUGHT, 0);

  private static final String LAST_PREFIX = "last:";

  public ExcludeSeenSpec {
    Objects.requireNonNull(mode, "mode");
    if (mode == Mode.LAST ? lastEvents < 1 : lastEvents != 0) {
      throw new IllegalArgumentException(
          "last:N needs N >= 1 and the other modes no N, got " + mode + " " + lastEvents);
    }
  }

  /** The items of the session's last {@code events} item events (>= 1). */
  public static ExcludeSeenSpec lastEvents(final int events) {
    if (events < 1) {
      throw new IllegalArgumentException("last:N needs N >= 1, got " + events);
    }
    return new ExcludeSeenSpec(Mode.LAST, events);
  }

  /** {@code true} as {@link #ALL}, {@code false} as {@link #OFF}. */
  public static ExcludeSeenSpec of(final boolean excludeSeen) {
    return excludeSeen ? ALL : OFF;
  }

  /**
   * Parses a setting: {@code all}, {@code off}, {@code bought} or {@code last:N} (case-insensitive;
   * {@code true} and {@code false}, the setting's earlier boolean values, mean {@code all} and
   * {@code off}).
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static ExcludeSeenSpec parse(final String setting) {
    Objects.requireNonNull(setting, "setting");
    final String text = setting.strip().toLowerCase(Locale.ROOT);
    switch (text) {
      case "all", "true":
        return ALL;
      case "off", "false":
        return OFF;
      case "bought":
        return BOUGHT;
      default:
        break;
    }
    if (text.startsWith(LAST_PREFIX)) {
      final String count = text.substring(LAST_PREFIX.length()).strip();
      final int events;
      try {
        events = Integer.parseInt(count);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "'" + setting + "': N of last:N must be a whole number >= 1", e);
      }
      if (events >= 1) {
        return lastEvents(events);
      }
      throw new IllegalArgumentException("'" + setting + "': N of last:N must be >= 1");
    }
    throw new IllegalArgumentException("'" + setting + "' is not one of " + SYNTAX);
  }

  /** Whether anything is excluded ({@code off} excludes nothing). */
  public boolean active() {
    return mode != Mode.OFF;
  }

  /** The setting's spelling: {@code all}, {@code off}, {@code bought} or {@code last:N}. */
  public String setting() {
    return mode == Mode.LAST ? LAST_PREFIX + lastEvents : mode.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return setting();
  }
}
