package io.insession.scoring.baseline;

import io.insession.data.Click;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Hand-made training sessions. */
final class Fixtures {

  private Fixtures() {}

  /** Sessions in the given order: id, then its items, e.g. {@code session("1", "A", "B")}. */
  @SafeVarargs
  static Map<String, List<Click>> sessions(final List<String>... sessions) {
    final Map<String, List<Click>> map = new LinkedHashMap<>();
    for (final List<String> session : sessions) {
      final List<Click> clicks = new ArrayList<>();
      for (final String item : session.subList(1, session.size())) {
        clicks.add(new Click(session.get(0), item, null));
      }
      map.put(session.get(0), clicks);
    }
    return map;
  }

  static List<String> session(final String id, final String... items) {
    final List<String> session = new ArrayList<>();
    session.add(id);
    session.addAll(List.of(items));
    return session;
  }
}
