package io.insession.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.insession.experiments.ExperimentBoard;
import io.insession.experiments.KpiCalculator;
import io.insession.metrics.PrometheusMetrics;
import io.insession.schemas.ExperimentKpis;
import io.insession.schemas.KpiPartial;
import io.insession.testing.HttpJson;
import io.insession.testing.HttpText;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/experiments/{id}} and the experiment gauges on a board filled by hand (the topic
 * follower fills it in production; {@code ExperimentsIT} runs that on a broker).
 */
class LookupApiExperimentsTest {

  private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
  private static final Instant WINDOW = Instant.parse("2026-11-23T11:00:00Z");

  private final ExperimentBoard board = new ExperimentBoard();
  private final PrometheusMeterRegistry registry = PrometheusMetrics.newRegistry();
  private LookupApi api;
  private HttpJson http;

  @BeforeEach
  void start() {
    api = LookupApi.start(new StubSource(), 0, registry, board);
    http = new HttpJson(api.port());
  }

  @AfterEach
  void stop() {
    api.close();
  }

  @Test
  void shouldServeAnExperimentsKpisWithIntervalsAndLiftsSinceStartAndPerWindow() {
    board.apply("exp/all", kpis(null, 10, 3, 8, 2));
    board.apply("exp/" + WINDOW.toEpochMilli(), kpis(WINDOW, 4, 1, 4, 1));

    final HttpJson.Answer answer = http.get("/v1/experiments/exp");

    assertThat(answer.status()).isEqualTo(200);
    final JsonNode body = answer.body();
    assertThat(body.get("experimentId").asText()).isEqualTo("exp");
    assertThat(body.get("control").asText()).isEqualTo("control");
    assertThat(body.get("confidence").asDouble()).isEqualTo(0.95);
    final JsonNode control = body.get("sinceStart").get("variants").get(0);
    assertThat(control.get("variant").asText()).isEqualTo("control");
    assertThat(control.get("sessions").asLong()).isEqualTo(10);
    assertThat(control.get("purchaseSessions").asLong()).isEqualTo(3);
    final JsonNode conversion = control.get("kpis").get("conversion_rate");
    assertThat(conversion.get("estimate").asDouble()).isEqualTo(0.3);
    assertThat(conversion.get("low").asDouble()).isBetween(0.0, 0.3);
    assertThat(conversion.has("lift")).isFalse();
    final JsonNode gru = body.get("sinceStart").get("variants").get(1);
    assertThat(gru.get("kpis").get("conversion_rate").get("estimate").asDouble()).isEqualTo(0.25);
    assertThat(gru.get("kpis").get("conversion_rate").get("lift").get("estimate").asDouble())
        .isEqualTo(0.25 / 0.3 - 1, org.assertj.core.api.Assertions.within(1e-12));
    final JsonNode window = body.get("windows").get(0);
    assertThat(window.get("windowStart").asText()).isEqualTo("2026-11-23T11:00:00Z");
    assertThat(window.get("windowEnd").asText()).isEqualTo("2026-11-23T12:00:00Z");
    assertThat(window.get("variants").get(0).get("sessions").asLong()).isEqualTo(4);

    assertThat(http.get("/v1/experiments").body().get("experiments").get(0).asText())
        .isEqualTo("exp");
  }

  @Test
  void shouldAnswer404ForAnUnknownExperiment() {
    final HttpJson.Answer answer = http.get("/v1/experiments/nothing");

    assertThat(answer.status()).isEqualTo(404);
    assertThat(answer.body().get("code").asText()).isEqualTo("NOT_FOUND");
  }

  @Test
  void shouldExportEachVariantsKpisSinceStartAsGauges() {
    board.apply("exp/all", kpis(null, 10, 3, 8, 2));

    final String metrics = new HttpText(api.metricsPort()).get("/metrics").body();

    assertThat(metrics)
        .contains(
            "insession_experiment_sessions{experiment=\"exp\",variant=\"control\"} 10.0",
            "insession_experiment_kpi{bound=\"estimate\",experiment=\"exp\",kpi=\"conversion_rate\",variant=\"gru\"} 0.25",
            "insession_experiment_lift{bound=\"estimate\",experiment=\"exp\",kpi=\"conversion_rate\",variant=\"gru\"}");
  }

  /** Control: {@code c} sessions, {@code cBuy} bought; gru: {@code g} sessions, {@code gBuy}. */
  private static ExperimentKpis kpis(
      final Instant window, final long c, final long cBuy, final long g, final long gBuy) {
    return KpiCalculator.compute(
        "exp",
        window,
        3_600_000L,
        List.of(partial("control", c, cBuy), partial("gru", g, gBuy)),
        "control",
        0.95,
        NOW);
  }

  private static KpiPartial partial(final String variant, final long sessions, final long buy) {
    return KpiPartial.newBuilder()
        .setExperimentId("exp")
        .setVariant(variant)
        .setTask("0_0")
        .setSessions(sessions)
        .setImpressions(sessions * 3)
        .setPurchaseSessions(buy)
        .setOrders(buy)
        .setRevenue(buy * 20.0)
        .setRevenueSquares(buy * 400.0)
        .setOrderSquares(buy)
        .setRevenueTimesOrders(buy * 20.0)
        .build();
  }
}
