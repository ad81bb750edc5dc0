package io.insession.metrics;

import io.insession.scoring.ModelInfo;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;

/**
 * {@code insession_model_info{model,version,variant} 1}: which model an instance serves, one series
 * per variant.
 */
public final class ModelInfoMeter {

  private ModelInfoMeter() {}

  /** Registers the info gauge of each variant (variant name to the model serving it). */
  public static void register(final MeterRegistry registry, final Map<String, ModelInfo> models) {
    for (final Map.Entry<String, ModelInfo> variant : models.entrySet()) {
      Gauge.builder("insession.model.info", () -> 1)
          .description("The model each variant of this instance serves (the value is always 1)")
          .tag("model", variant.getValue().name())
          .tag("version", variant.getValue().version())
          .tag(MicrometerTopologyMetrics.VARIANT_TAG, variant.getKey())
          .register(registry);
    }
  }
}
