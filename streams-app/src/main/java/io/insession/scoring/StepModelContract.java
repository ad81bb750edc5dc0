package io.insession.scoring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The step model's tensors as fixed by bundle format 1 (docs/model-bundle.md): names, element types
 * and shapes in terms of {@code hidden_size} and {@code top_k}. Checks that metadata.json declares
 * exactly these, so that everything downstream can trust the metadata.
 */
final class StepModelContract {

  static final String ITEM_IDX = "item_idx";
  static final String HIDDEN = "hidden";
  static final String RECENT_ITEMS = "recent_items";
  static final String NEW_HIDDEN = "new_hidden";
  static final String TOPK_SCORES = "topk_scores";
  static final String TOPK_ITEMS = "topk_items";
  static final String FLOAT32 = "float32";
  static final String INT64 = "int64";

  private static final String BATCH = "batch";

  private StepModelContract() {}

  /**
   * {@code item_idx} and {@code hidden}; a repeat-aware model ({@code recentItems} R > 0) also
   * takes {@code recent_items}, int64 [batch, R].
   */
  static List<TensorSpec> expectedInputs(final int hiddenSize, final int recentItems) {
    final List<TensorSpec> inputs = new ArrayList<>();
    inputs.add(new TensorSpec(ITEM_IDX, INT64, List.of(BATCH)));
    inputs.add(new TensorSpec(HIDDEN, FLOAT32, List.of(BATCH, Integer.toString(hiddenSize))));
    if (recentItems > 0) {
      inputs.add(
          new TensorSpec(RECENT_ITEMS, INT64, List.of(BATCH, Integer.toString(recentItems))));
    }
    return List.copyOf(inputs);
  }

  static List<TensorSpec> expectedOutputs(final int hiddenSize, final int topK) {
    return List.of(
        new TensorSpec(NEW_HIDDEN, FLOAT32, List.of(BATCH, Integer.toString(hiddenSize))),
        new TensorSpec(TOPK_SCORES, FLOAT32, List.of(BATCH, Integer.toString(topK))),
        new TensorSpec(TOPK_ITEMS, INT64, List.of(BATCH, Integer.toString(topK))));
  }

  /** Fails naming metadata.json when its tensors disagree with the contract or its own sizes. */
  static void check(final BundleMetadata metadata) {
    final String sizes =
        "hidden_size "
            + metadata.hiddenSize()
            + (metadata.repeat() ? ", recent_items " + metadata.recentItems() : "")
            + " and top_k "
            + metadata.topK();
    checkGroup(
        "inputs",
        metadata.inputs(),
        expectedInputs(metadata.hiddenSize(), metadata.recentItems()),
        sizes);
    checkGroup(
        "outputs",
        metadata.outputs(),
        expectedOutputs(metadata.hiddenSize(), metadata.topK()),
        sizes);
  }

  private static void checkGroup(
      final String group,
      final List<TensorSpec> declared,
      final List<TensorSpec> expected,
      final String sizes) {
    final Map<String, TensorSpec> byName =
        declared.stream()
            .collect(
                Collectors.toMap(
                    TensorSpec::name,
                    Function.identity(),
                    (a, b) -> {
                      throw fail(group + " declares tensor '" + a.name() + "' twice");
                    }));
    final List<String> expectedNames = new ArrayList<>();
    for (final TensorSpec want : expected) {
      expectedNames.add(want.name());
      final TensorSpec have = byName.get(want.name());
      if (have == null) {
        throw fail(group + " has no tensor '" + want.name() + "' (format 1 requires it)");
      }
      if (!have.type().equals(want.type())) {
        throw fail(
            group
                + " '"
                + want.name()
                + "' has type "
                + have.type()
                + ", format 1 requires "
                + want.type());
      }
      if (!sameShape(have, want)) {
        throw fail(
            group
                + " '"
                + want.name()
                + "' has shape "
                + have.shapeText()
                + ", but "
                + sizes
                + " require "
                + want.shapeText());
      }
    }
    for (final TensorSpec have : declared) {
      if (!expectedNames.contains(have.name())) {
        throw fail(
            group
                + " declares tensor '"
                + have.name()
                + "' that format 1 does not know"
                + (StepModelContract.RECENT_ITEMS.equals(have.name())
                    ? " without \"repeat\": true and \"recent_items\""
                    : ""));
      }
    }
  }

  /** Same rank and sizes; any axis name counts as the dynamic batch axis. */
  private static boolean sameShape(final TensorSpec have, final TensorSpec want) {
    return Arrays.equals(have.dims(), want.dims());
  }

  private static InvalidModelBundleException fail(final String what) {
    return new InvalidModelBundleException(BundleMetadataReader.FILE + ": " + what);
  }
}
