package io.insession.load.replay;

import io.insession.data.Click;
import io.insession.data.SessionFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Recorded sessions from a public data file, as item ids in click order. */
public final class SessionSource {

  private SessionSource() {}

  /** Reads any format {@link SessionFiles} knows (SR-GNN TSV, GRU4Rec TSV, raw CSV). */
  public static Map<String, List<String>> read(final Path file) throws IOException {
    final Map<String, List<Click>> sessions = SessionFiles.readSessions(file);
    final Map<String, List<String>> items = new LinkedHashMap<>();
    sessions.forEach((id, clicks) -> items.put(id, clicks.stream().map(Click::itemId).toList()));
    return items;
  }

  /** Total clicks of the sessions. */
  public static long events(final Map<String, List<String>> sessions) {
    return sessions.values().stream().mapToLong(List::size).sum();
  }
}
