package io.insession.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.insession.scoring.ModelInfo;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    metrics.listOut("default", Duration.ofMillis(120));
    metrics.scored("default", 1, 2_000_000L);
    metrics.activeSessions("0_0", 3);
    metrics.activeSessions("0_1", 4);
    ModelInfoMeter.register(registry, Map.of("default", new ModelInfo("gru4rec-demo", "3")));

    final String text = registry.scrape();

    assertThat(text)
        .contains("insession_events_in_total 2.0")
        .contains("insession_lists_out_total{variant=\"default\"} 1.0")
        .contains("insession_dead_letters_total{reason=\"UNDECODABLE\"} 1.0")
        .contains("insession_dead_letters_total{reason=\"MISSING_KEY\"} 0.0")
        .contains("insession_end_to_end_latency_seconds_bucket{variant=\"default\",le=\"0.25\"} 1")
        .contains("insession_end_to_end_latency_seconds_count{variant=\"default\"} 1")
        .contains("insession_scoring_latency_seconds_bucket{variant=\"default\",le=")
        .contains("insession_scoring_batch_size_count{variant=\"default\"} 1")
        .contains("insession_scoring_batch_size_sum{variant=\"default\"} 1.0")
        .contains("insession_scoring_batch_size_max{variant=\"default\"} 1.0")
        .contains("insession_active_sessions 7.0")
        .contains(
            "insession_model_info{model=\"gru4rec-demo\",variant=\"default\",version=\"3\"} 1");
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
    metrics.listOut("default", Duration.ofMillis(250));
    metrics.listOut("default", Duration.ofMillis(251));

    assertThat(registry.scrape())
        .contains(
            "insession_end_to_end_latency_seconds_bucket{variant=\"default\",le=\"0.25\"} 1\n");
  }

  @Test
  void shouldTagListsLatencyScoringAndReencodingByVariant() {
    metrics.listOut("control", Duration.ofMillis(100));
    metrics.listOut("gru", Duration.ofMillis(100));
    metrics.listOut("gru", Duration.ofMillis(300));
    metrics.scored("gru", 4, 1_000_000L);
    metrics.scored("control", 2, 1_000_000L);
    metrics.reencoded("gru", 5);
    metrics.reencoded("gru", 3);

    assertThat(registry.scrape())
        .contains("insession_lists_out_total{variant=\"control\"} 1.0")
        .contains("insession_lists_out_total{variant=\"gru\"} 2.0")
        .contains("insession_end_to_end_latency_seconds_count{variant=\"gru\"} 2")
        .contains("insession_end_to_end_latency_seconds_bucket{variant=\"control\",le=\"0.25\"} 1")
        .contains("insession_scoring_batch_size_sum{variant=\"gru\"} 4.0")
        .contains("insession_scoring_batch_size_sum{variant=\"control\"} 2.0")
        .contains("insession_reencoded_sessions_total{variant=\"gru\"} 2.0")
        .contains("insession_reencoded_steps_total{variant=\"gru\"} 8.0");
    assertThat(registry.find("insession.lists.out").counters())
        .as("a sum over the variants is the instance's total")
        .extracting(c -> c.count())
        .containsExactlyInAnyOrder(1.0, 2.0);
  }

  @Test
  void shouldExposeOneModelInfoSeriesPerVariant() {
    final Map<String, ModelInfo> models = new LinkedHashMap<>();
    models.put("gru", new ModelInfo("gru4rec-demo", "4"));
    models.put("control", new ModelInfo("popular", "3"));
    ModelInfoMeter.register(registry, models);

    assertThat(registry.scrape())
        .contains("insession_model_info{model=\"gru4rec-demo\",variant=\"gru\",version=\"4\"} 1")
        .contains("insession_model_info{model=\"popular\",variant=\"control\",version=\"3\"} 1");
  }
}
