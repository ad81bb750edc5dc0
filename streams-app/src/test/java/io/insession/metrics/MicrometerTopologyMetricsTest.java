package io.insession.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.insession.scoring.ModelInfo;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The meters under the exact names the alerts and the dashboard in deploy/ use. */
class MicrometerTopologyMetricsTest {

  private final PrometheusMeterRegistry registry = PrometheusMetrics.newRegistry();
  private final TopologyMetrics metrics =
      new MicrometerTopologyMetrics(registry, List.of("UNDECODABLE", "MISSING_KEY"));

  @Test
  void shouldExposeEveryMeterUnderItsPrometheusName() {
    metrics.eventIn();
    metrics.eventIn();
    metrics.deadLetter("UNDECODABLE");
    metrics.listOut(Duration.ofMillis(120));
    metrics.scored(1, 2_000_000L);
    metrics.activeSessions("0_0", 3);
    metrics.activeSessions("0_1", 4);
    ModelInfoMeter.register(registry, new ModelInfo("gru4rec-demo", "3"));

    final String text = registry.scrape();

    assertThat(text)
        .contains("insession_events_in_total 2.0")
        .contains("insession_lists_out_total 1.0")
        .contains("insession_dead_letters_total{reason=\"UNDECODABLE\"} 1.0")
        .contains("insession_dead_letters_total{reason=\"MISSING_KEY\"} 0.0")
        .contains("insession_end_to_end_latency_seconds_bucket{le=\"0.25\"} 1")
        .contains("insession_end_to_end_latency_seconds_count 1")
        .contains("insession_scoring_latency_seconds_bucket{le=")
        .contains("insession_scoring_batch_size_count 1")
        .contains("insession_scoring_batch_size_sum 1.0")
        .contains("insession_scoring_batch_size_max 1.0")
        .contains("insession_active_sessions 7.0")
        .contains("insession_model_info{model=\"gru4rec-demo\",version=\"3\"} 1");
  }

  @Test
  void shouldDropTheSessionsOfAClosedTask() {
    metrics.activeSessions("0_0", 3);
    metrics.activeSessions("0_1", 4);
    metrics.activeSessions("0_0", 2);
    metrics.taskClosed("0_1");

    assertThat(registry.get("insession.active.sessions").gauge().value()).isEqualTo(2.0);
  }

  @Test
  void shouldCountAReasonItWasNotToldAbout() {
    metrics.deadLetter("SOMETHING_NEW");

    assertThat(
            registry.get("insession.dead.letters").tag("reason", "SOMETHING_NEW").counter().count())
        .isEqualTo(1.0);
  }

  @Test
  void shouldPutTheObjectiveOnABucketBoundary() {
    metrics.listOut(Duration.ofMillis(250));
    metrics.listOut(Duration.ofMillis(251));

    assertThat(registry.scrape())
        .contains("insession_end_to_end_latency_seconds_bucket{le=\"0.25\"} 1\n");
  }
}
