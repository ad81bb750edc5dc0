package io.insession.metrics;

import io.insession.scoring.ModelInfo;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code insession_model_info{model,version,variant} 1}: which model an instance serves, one series
 * per variant. After a hot swap {@link #serve} replaces the series with the new set's.
 */
public final class ModelInfoMeter {

  private final MeterRegistry registry;
  private final List<Meter> series = new ArrayList<>();

  private ModelInfoMeter(final MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /** Registers the info gauge of each variant (variant name to the model serving it). */
  public static ModelInfoMeter register(
      final MeterRegistry registry, final Map<String, ModelInfo> models) {
    final ModelInfoMeter meter = new ModelInfoMeter(registry);
    meter.serve(models);
    return meter;
  }

  /** Removes the series registered before and registers one per variant of {@code models}. */
  public synchronized void serve(final Map<String, ModelInfo> models) {
    for (final Meter old : series) {
      registry.remove(old);
    }
    series.clear();
    for (final Map.Entry<String, ModelInfo> variant : models.entrySet()) {
      series.add(
          Gauge.builder("insession.model.info", () -> 1)
              .description("The model each variant of this instance serves (the value is always 1)")
              .tag("model", variant.getValue().name())
              .tag("version", variant.getValue().version())
              .tag(MicrometerTopologyMetrics.VARIANT_TAG, variant.getKey())
              .register(registry));
    }
  }
}
