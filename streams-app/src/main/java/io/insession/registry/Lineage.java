package io.insession.registry;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where a model version comes from, as its exporter wrote it into metadata.json
 * (docs/model-bundle.md). Maps keep the exporter's keys and JSON values (strings, numbers,
 * booleans, lists, maps); a field the bundle does not have is an empty string, 0 or an empty map.
 *
 * @param created when the bundle was exported (ISO-8601)
 * @param modelType the model family, e.g. {@code gru4rec}
 * @param numItems items the model knows
 * @param hiddenSize length of the hidden state
 * @param topK candidates per step
 * @param trainingData the training data: file, sessions, events, items, time range when given
 * @param hyperparameters the training hyperparameters
 * @param metrics offline metrics on the test data
 * @param quantization for an int8 bundle: scheme, source float model, parity against it
 */
public record Lineage(
    String created,
    String modelType,
    int numItems,
    int hiddenSize,
    int topK,
    Map<String, Object> trainingData,
    Map<String, Object> hyperparameters,
    Map<String, Object> metrics,
    Map<String, Object> quantization) {

  public Lineage {
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(modelType, "modelType");
    trainingData = frozen(trainingData);
    hyperparameters = frozen(hyperparameters);
    metrics = frozen(metrics);
    quantization = frozen(quantization);
  }

  private static Map<String, Object> frozen(final Map<String, Object> map) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }
}
