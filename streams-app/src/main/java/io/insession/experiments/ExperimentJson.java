package io.insession.experiments;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.insession.schemas.ExperimentKpis;
import io.insession.schemas.Kpi;
import io.insession.schemas.VariantKpis;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The JSON of an experiment ({@code GET /v1/experiments/{id}}, {@code insession experiments show
 * --json}): its figures since it started and per window, each variant's counts and KPIs with their
 * intervals and lifts (docs/experiments.md).
 */
public final class ExperimentJson {

  private ExperimentJson() {}

  /**
   * The experiment's JSON: {@code sinceStart} (may be absent) and {@code windows}, latest first.
   */
  public static ObjectNode of(
      final ObjectMapper mapper,
      final String experimentId,
      final ExperimentKpis sinceStart,
      final List<ExperimentKpis> windows) {
    final ObjectNode json = mapper.createObjectNode();
    json.put("experimentId", experimentId);
    if (sinceStart != null) {
      json.put("control", sinceStart.getControl());
      json.put("confidence", sinceStart.getConfidence());
      json.set("sinceStart", figures(mapper, sinceStart));
    }
    final ArrayNode array = json.putArray("windows");
    for (final ExperimentKpis window : windows) {
      array.add(figures(mapper, window));
    }
    return json;
  }

  private static ObjectNode figures(final ObjectMapper mapper, final ExperimentKpis kpis) {
    final ObjectNode json = mapper.createObjectNode();
    if (kpis.getWindowStart() != null) {
      json.put("windowStart", kpis.getWindowStart().toString());
      json.put("windowEnd", kpis.getWindowEnd().toString());
    }
    json.put("computedAt", kpis.getComputedAt().toString());
    final ArrayNode variants = json.putArray("variants");
    for (final VariantKpis variant : kpis.getVariants()) {
      final ObjectNode v = variants.addObject();
      v.put("variant", variant.getVariant());
      v.put("sessions", variant.getSessions());
      v.put("impressions", variant.getImpressions());
      v.put("clickedImpressions", variant.getClickedImpressions());
      v.put("clicks", variant.getClicks());
      v.put("addToCartSessions", variant.getAddToCartSessions());
      v.put("attributedAddToCarts", variant.getAttributedAddToCarts());
      v.put("purchaseSessions", variant.getPurchaseSessions());
      v.put("attributedPurchases", variant.getAttributedPurchases());
      v.put("orders", variant.getOrders());
      v.put("revenue", variant.getRevenue());
      v.put("attributedRevenue", variant.getAttributedRevenue());
      final ObjectNode kpiNodes = v.putObject("kpis");
      for (final Map.Entry<String, Function<VariantKpis, Kpi>> kpi :
          new TreeMap<>(ExperimentBoard.KPIS).entrySet()) {
        final Kpi value = kpi.getValue().apply(variant);
        if (value == null) {
          kpiNodes.putNull(kpi.getKey());
          continue;
        }
        final ObjectNode k = kpiNodes.putObject(kpi.getKey());
        k.put("estimate", value.getEstimate());
        k.put("low", value.getLow());
        k.put("high", value.getHigh());
        if (value.getLift() != null) {
          final ObjectNode lift = k.putObject("lift");
          lift.put("estimate", value.getLift().getEstimate());
          lift.put("low", value.getLift().getLow());
          lift.put("high", value.getLift().getHigh());
        }
      }
    }
    return json;
  }
}
