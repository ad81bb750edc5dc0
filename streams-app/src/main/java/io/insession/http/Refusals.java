package io.insession.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/**
 * Counts the requests one HTTP server refused, by {@link Refusal}: {@code
 * insession_http_requests_refused_total{server, reason}}, every reason registered at 0.
 */
public final class Refusals {

  private final Map<Refusal, Counter> counters = new EnumMap<>(Refusal.class);

  /**
   * Registers the counters of {@code server} in {@code registry}.
   *
   * @param server the server's name, e.g. {@code lookup}, {@code metrics}
   */
  public Refusals(final MeterRegistry registry, final String server) {
    for (final Refusal reason : Refusal.values()) {
      counters.put(
          reason,
          Counter.builder("insession.http.requests.refused")
              .description("Requests an HTTP server refused (4xx), by reason")
              .tag("server", server)
              .tag("reason", reason.name())
              .register(registry));
    }
  }

  /** Counts one refusal. */
  public void count(final Refusal reason) {
    counters.get(reason).increment();
  }
}
