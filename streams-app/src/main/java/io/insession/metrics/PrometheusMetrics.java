package io.insession.metrics;

import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** The Prometheus side of the metrics: a registry, and the {@code GET /metrics} answer. */
public final class PrometheusMetrics {

  /** Content type of the Prometheus text exposition format, version 0.0.4. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /** Path of the scrape endpoint. */
  public static final String PATH = "/metrics";

  private PrometheusMetrics() {}

  /** A new registry with the default configuration (one per component that serves metrics). */
  public static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /** Answers a scrape with every meter of {@code registry} in the Prometheus text format. */
  public static void scrape(final PrometheusMeterRegistry registry, final Context ctx) {
    ctx.contentType(CONTENT_TYPE).result(registry.scrape());
  }
}
