package io.insession.catalog;

import java.util.ArrayList;
import java.util.List;

/**
 * One record of a CSV text (RFC 4180: comma-separated, fields in double quotes may hold commas,
 * line breaks and doubled quotes), with the line it starts on.
 *
 * @param line the 1-based line the record starts on
 * @param fields its fields, unquoted
 */
record CsvRow(int line, List<String> fields) {

  /** Every non-empty record of {@code text}; an unterminated quote is an error. */
  static List<CsvRow> parse(final String text, final List<String> errors) {
    final List<CsvRow> rows = new ArrayList<>();
    List<String> fields = new ArrayList<>();
    final StringBuilder field = new StringBuilder();
    int line = 1;
    int start = 1;
    boolean quoted = false;
    boolean any = false;
    for (int i = 0; i < text.length(); i++) {
      final char c = text.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          if (c == '\n') {
            line++;
          }
          field.append(c);
        }
        continue;
      }
      switch (c) {
        case '"' -> {
          quoted = true;
          any = true;
        }
        case ',' -> {
          fields.add(field.toString());
          field.setLength(0);
          any = true;
        }
        case '\r' -> {
          // part of \r\n
        }
        case '\n' -> {
          if (any || field.length() > 0) {
            fields.add(field.toString());
            rows.add(new CsvRow(start, fields));
          }
          fields = new ArrayList<>();
          field.setLength(0);
          any = false;
          line++;
          start = line;
        }
        default -> {
          field.append(c);
          any = true;
        }
      }
    }
    if (quoted) {
      errors.add("line " + start + ": a quoted field is not closed");
      return List.of();
    }
    if (any || field.length() > 0) {
      fields.add(field.toString());
      rows.add(new CsvRow(start, fields));
    }
    final List<CsvRow> stripped = new ArrayList<>(rows.size());
    for (final CsvRow row : rows) {
      stripped.add(new CsvRow(row.line, row.fields.stream().map(String::strip).toList()));
    }
    return stripped;
  }
}
