package io.insession.metrics;

import io.insession.scoring.ModelInfo;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** {@code insession_model_info{model,version} 1}: which model an instance serves. */
public final class ModelInfoMeter {

  private ModelInfoMeter() {}

  /** Registers the info gauge for {@code model}. */
  public static void register(final MeterRegistry registry, final ModelInfo model) {
    Gauge.builder("insession.model.info", () -> 1)
        .description("The model this instance serves (the value is always 1)")
        .tag("model", model.name())
        .tag("version", model.version())
        .register(registry);
  }
}
