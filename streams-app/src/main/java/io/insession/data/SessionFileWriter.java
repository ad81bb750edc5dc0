package io.insession.data;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes sessions as the tab-separated file that model-exporter trains on and {@link SessionFiles}
 * reads: header {@code SessionId ItemId Pos EventTime}, one line per click, sessions in the given
 * order, each session's clicks in order ({@code Pos} 0, 1, ...). The clicks are ordered by {@code
 * Pos} (the order the stream scored them in), not by time; {@code EventTime} (ISO-8601, UTC) is for
 * people and other tools: both readers ignore columns they do not know.
 */
public final class SessionFileWriter {

  /** The header line. */
  public static final String HEADER = "SessionId\tItemId\tPos\tEventTime";

  private SessionFileWriter() {}

  /**
   * What was written.
   *
   * @param sessions sessions written (those with at least one click left)
   * @param clicks lines written below the header
   * @param unwritable clicks left out because an id cannot be carried by a TSV line ({@link
   *     SkipReason#UNWRITABLE_ID})
   */
  public record Written(long sessions, long clicks, long unwritable) {}

  /** Writes {@code sessions} to {@code file} (replacing it). */
  public static Written write(final Path file, final Map<String, List<Click>> sessions)
      throws IOException {
    long written = 0;
    long clicks = 0;
    long unwritable = 0;
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write(HEADER);
      out.newLine();
      for (final Map.Entry<String, List<Click>> session : sessions.entrySet()) {
        if (!writable(session.getKey())) {
          unwritable += session.getValue().size();
          continue;
        }
        int pos = 0;
        for (final Click click : session.getValue()) {
          if (!writable(click.itemId())) {
            unwritable++;
            continue;
          }
          out.write(session.getKey());
          out.write('\t');
          out.write(click.itemId());
          out.write('\t');
          out.write(Integer.toString(pos++));
          out.write('\t');
          out.write(click.time() == null ? "" : click.time().toString());
          out.newLine();
        }
        clicks += pos;
        written += pos > 0 ? 1 : 0;
      }
    }
    return new Written(written, clicks, unwritable);
  }

  /**
   * Whether a TSV field carries {@code id} unchanged: the readers split fields on tabs and lines on
   * line breaks (Python's {@code splitlines} also on other control characters and U+2028/9) and
   * strip the fields.
   */
  static boolean writable(final String id) {
    if (id.isEmpty() || !id.strip().equals(id)) {
      return false;
    }
    return id.chars().noneMatch(c -> Character.isISOControl(c) || c == 0x2028 || c == 0x2029);
  }
}
