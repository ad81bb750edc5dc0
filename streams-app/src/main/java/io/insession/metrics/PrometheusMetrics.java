package io.insession.metrics;

import io.javalin.http.Context;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** The Prometheus side of the metrics: a registry, and the {@code GET /metrics} answer. */
public final class PrometheusMetrics {

  /** Content type of the Prometheus text exposition format, version 0.0.4. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /** Path of the scrape endpoint. */
  public static final String PATH = "/metrics";

  private PrometheusMetrics() {}

  /**
   * A new registry with the default configuration (one per component that serves metrics), with the
   * JVM's memory (heap, non-heap, direct and mapped buffers: {@code jvm_memory_used_bytes}, {@code
   * jvm_buffer_memory_used_bytes}), threads and CPU, so that a soak or a dashboard sees the
   * process's own memory next to RocksDB's.
   */
  public static PrometheusMeterRegistry newRegistry() {
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    return registry;
  }

  /** Answers a scrape with every meter of {@code registry} in the Prometheus text format. */
  public static void scrape(final PrometheusMeterRegistry registry, final Context ctx) {
    ctx.contentType(CONTENT_TYPE).result(registry.scrape());
  }
}
