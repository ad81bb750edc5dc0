package io.insession.evaluation;

import io.insession.data.Click;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Hand-made sessions written as {@code "id:item,item,..."}. */
final class TestSessions {

  private TestSessions() {}

  static Map<String, List<Click>> sessions(final String... sessions) {
    final Map<String, List<Click>> map = new LinkedHashMap<>();
    for (final String session : sessions) {
      final String[] parts = session.split(":");
      final List<Click> clicks = new ArrayList<>();
      for (final String item : parts[1].split(",")) {
        clicks.add(new Click(parts[0], item, null));
      }
      map.put(parts[0], clicks);
    }
    return map;
  }
}
