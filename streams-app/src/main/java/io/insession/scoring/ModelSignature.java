package io.insession.scoring;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.TensorInfo.OnnxTensorType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Checks at start that the ONNX graph's inputs and outputs (names, element types, shapes) are the
 * ones metadata.json declares, so that a bundle whose model and metadata disagree fails at start
 * with a clear message instead of at the first event.
 */
final class ModelSignature {

  private static final Map<String, OnnxTensorType> TYPES =
      Map.of(
          StepModelContract.FLOAT32, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT,
          StepModelContract.INT64, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64);

  private ModelSignature() {}

  /**
   * Fails with {@link InvalidModelBundleException} naming model.onnx and the first mismatch.
   *
   * @param inputs {@code session.getInputInfo()}
   * @param outputs {@code session.getOutputInfo()}
   */
  static void check(
      final Map<String, NodeInfo> inputs,
      final Map<String, NodeInfo> outputs,
      final BundleMetadata metadata) {
    checkGroup("input", inputs, metadata.inputs());
    checkGroup("output", outputs, metadata.outputs());
  }

  private static void checkGroup(
      final String kind, final Map<String, NodeInfo> actual, final List<TensorSpec> declared) {
    final List<String> declaredNames = new ArrayList<>();
    for (final TensorSpec spec : declared) {
      declaredNames.add(spec.name());
    }
    if (!new TreeSet<>(actual.keySet()).equals(new TreeSet<>(declaredNames))) {
      throw fail(
          kind
              + " names mismatch: "
              + BundleMetadataReader.FILE
              + " says "
              + new TreeSet<>(declaredNames)
              + ", model has "
              + new TreeSet<>(actual.keySet()));
    }
    for (final TensorSpec spec : declared) {
      final NodeInfo node = actual.get(spec.name());
      if (!(node.getInfo() instanceof TensorInfo)) {
        throw fail(kind + " '" + spec.name() + "' is not a tensor: " + node.getInfo());
      }
      final TensorInfo info = (TensorInfo) node.getInfo();
      final OnnxTensorType expectedType = TYPES.get(spec.type());
      if (expectedType == null) {
        throw new InvalidModelBundleException(
            BundleMetadataReader.FILE
                + ": "
                + kind
                + " '"
                + spec.name()
                + "' has unsupported type "
                + spec.type());
      }
      if (info.onnxType != expectedType) {
        throw fail(
            kind
                + " '"
                + spec.name()
                + "' type mismatch: "
                + BundleMetadataReader.FILE
                + " says "
                + spec.type()
                + ", model has "
                + typeName(info.onnxType));
      }
      if (!sameShape(spec.dims(), info.getShape())) {
        throw fail(
            kind
                + " '"
                + spec.name()
                + "' shape mismatch: "
                + BundleMetadataReader.FILE
                + " says "
                + spec.shapeText()
                + ", model has "
                + shapeText(info));
      }
    }
  }

  /** Same rank; fixed sizes equal; a dynamic axis in the metadata is dynamic in the model. */
  private static boolean sameShape(final long[] declared, final long[] actual) {
    if (declared.length != actual.length) {
      return false;
    }
    for (int i = 0; i < declared.length; i++) {
      final boolean declaredDynamic = declared[i] == TensorSpec.DYNAMIC;
      final boolean actualDynamic = actual[i] < 0;
      if (declaredDynamic != actualDynamic || !declaredDynamic && declared[i] != actual[i]) {
        return false;
      }
    }
    return true;
  }

  private static String shapeText(final TensorInfo info) {
    final long[] shape = info.getShape();
    final String[] names = info.getDimensionNames();
    final List<String> dims = new ArrayList<>();
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] >= 0) {
        dims.add(Long.toString(shape[i]));
      } else {
        dims.add(names != null && i < names.length && !names[i].isEmpty() ? names[i] : "?");
      }
    }
    return "[" + String.join(", ", dims) + "]";
  }

  private static String typeName(final OnnxTensorType type) {
    for (final Map.Entry<String, OnnxTensorType> entry : TYPES.entrySet()) {
      if (entry.getValue() == type) {
        return entry.getKey();
      }
    }
    return type.toString();
  }

  private static InvalidModelBundleException fail(final String what) {
    return new InvalidModelBundleException(ModelBundle.MODEL_FILE + ": " + what);
  }
}
