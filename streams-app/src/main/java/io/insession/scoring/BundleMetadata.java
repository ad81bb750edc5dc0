package io.insession.scoring;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The parts of a bundle's metadata.json that the serving side uses (docs/model-bundle.md). Training
 * data, hyperparameters and offline metrics are for people and are not modelled here.
 *
 * @param formatVersion the bundle format version (this build reads {@link
 *     ModelBundle#FORMAT_VERSION})
 * @param name the model's name, written into every recommendation list
 * @param version the model's version, written into every recommendation list
 * @param created when the bundle was exported (ISO-8601), empty if not given
 * @param modelType the model family, e.g. {@code gru4rec}, empty if not given
 * @param numItems number of items the model knows (rows of items.tsv)
 * @param hiddenSize length of the hidden state (layers × units)
 * @param topK number of candidates the model returns per step
 * @param opset the ONNX opset of model.onnx, 0 if not given
 * @param recentItems for a repeat-aware model ({@code "repeat": true}), how many of the session's
 *     most recent items its step model reads (R of the {@code recent_items} input); 0 for a plain
 *     model
 * @param inputs the step model's input tensors
 * @param outputs the step model's output tensors
 * @param retrieval how the step model finds its top-K ({@link Retrieval#EXACT} without {@code
 *     retrieval})
 * @param files expected SHA-256 and size of every other file in the bundle, by file name
 */
public record BundleMetadata(
    int formatVersion,
    String name,
    String version,
    String created,
    String modelType,
    int numItems,
    int hiddenSize,
    int topK,
    int opset,
    int recentItems,
    List<TensorSpec> inputs,
    List<TensorSpec> outputs,
    Retrieval retrieval,
    Map<String, FileDigest> files) {

  public BundleMetadata {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(modelType, "modelType");
    Objects.requireNonNull(retrieval, "retrieval");
    if (recentItems < 0) {
      throw new IllegalArgumentException("recentItems must be >= 0, got " + recentItems);
    }
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    files = Collections.unmodifiableMap(new LinkedHashMap<>(files));
  }

  /**
   * Whether the step model is repeat-aware: it takes the session's recent items as a third input.
   */
  public boolean repeat() {
    return recentItems > 0;
  }

  /** Name and version, as a scorer reports them. */
  public ModelInfo modelInfo() {
    return new ModelInfo(name, version);
  }
}
