package io.insession.catalog;

import java.util.List;

/** A catalogue file with errors: every error found, each with its line; nothing was written. */
public final class InvalidCatalogException extends Exception {

  private static final long serialVersionUID = 1L;

  /** How many errors the message lists; the rest are counted. */
  static final int LISTED = 50;

  /** The errors, each starting with {@code line N: }. */
  private final List<String> errors;

  public InvalidCatalogException(final String file, final List<String> errors) {
    super(message(file, errors));
    this.errors = List.copyOf(errors);
  }

  /**
   * Every error, each starting with {@code line N: } (or {@code FILE:} for the file as a whole).
   */
  public List<String> errors() {
    return errors;
  }

  private static String message(final String file, final List<String> errors) {
    final StringBuilder text =
        new StringBuilder()
            .append(file)
            .append(": ")
            .append(errors.size())
            .append(errors.size() == 1 ? " error" : " errors")
            .append(", nothing was written:");
    for (int i = 0; i < Math.min(LISTED, errors.size()); i++) {
      text.append(System.lineSeparator()).append("  ").append(errors.get(i));
    }
    if (errors.size() > LISTED) {
      text.append(System.lineSeparator())
          .append("  ... and ")
          .append(errors.size() - LISTED)
          .append(" more");
    }
    return text.toString();
  }
}
