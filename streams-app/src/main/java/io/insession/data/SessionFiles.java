package io.insession.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads session click files (any {@link SessionFileFormat}) into sessions, in file order. */
public final class SessionFiles {

  private SessionFiles() {}

  /** All sessions of a file: session id to its clicks in order, sessions in first-seen order. */
  public static Map<String, List<Click>> readSessions(final Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return readSessions(in, file.toString());
    }
  }

  /**
   * All sessions of a stream.
   *
   * @param source named in error messages
   * @throws IllegalArgumentException naming the source and line of a malformed line
   */
  public static Map<String, List<Click>> readSessions(final InputStream in, final String source)
      throws IOException {
    final Map<String, List<Click>> sessions = new LinkedHashMap<>();
    final BufferedReader reader =
        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    final String first = reader.readLine();
    if (first == null) {
      return sessions;
    }
    final SessionFileFormat format;
    final SessionFileFormat.Columns columns;
    try {
      format = SessionFileFormat.detect(first);
      columns = format.columns(first);
    } catch (final IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ":1: " + e.getMessage(), e);
    }
    int lineNumber = 1;
    if (!format.hasHeader()) {
      add(sessions, parse(format, columns, first, source, lineNumber));
    }
    String line;
    while ((line = reader.readLine()) != null) {
      lineNumber++;
      if (!line.isBlank()) {
        add(sessions, parse(format, columns, line, source, lineNumber));
      }
    }
    return sessions;
  }

  private static void add(final Map<String, List<Click>> sessions, final Click click) {
    sessions.computeIfAbsent(click.sessionId(), id -> new ArrayList<>()).add(click);
  }

  private static Click parse(
      final SessionFileFormat format,
      final SessionFileFormat.Columns columns,
      final String line,
      final String source,
      final int number) {
    final String[] fields = format.split(line);
    if (fields.length != columns.fieldCount()) {
      throw new IllegalArgumentException(
          source
              + ":"
              + number
              + ": expected "
              + columns.fieldCount()
              + " fields ("
              + format
              + "), got "
              + fields.length
              + ": "
              + line);
    }
    try {
      return format.parse(fields, columns);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          source
              + ":"
              + number
              + ": malformed "
              + format
              + " line ("
              + e.getMessage()
              + "): "
              + line,
          e);
    }
  }
}
