package io.insession.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What every scrape carries besides InSession's own meters. */
class PrometheusMetricsTest {

  @Test
  void shouldExportTheJvmsHeapDirectBuffersThreadsAndCpu() {
    final String scrape = PrometheusMetrics.newRegistry().scrape();
    assertThat(scrape)
        .containsPattern("(?m)^jvm_memory_used_bytes\\{area=\"heap\",[^}]*\\} [0-9.E]+$")
        .containsPattern("(?m)^jvm_memory_max_bytes\\{area=\"heap\",")
        .containsPattern("(?m)^jvm_buffer_memory_used_bytes\\{id=\"direct\"\\} [0-9.E]+$")
        .containsPattern("(?m)^jvm_threads_live_threads [0-9.E]+$")
        .containsPattern("(?m)^process_cpu_usage ");
  }
}
