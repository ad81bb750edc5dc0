package io.insession.scoring;

import java.util.List;
import java.util.Objects;

/**
 * One input or output tensor of the step model as declared in metadata.json.
 *
 * @param name the ONNX tensor name, e.g. {@code hidden}
 * @param type the element type as the bundle contract spells it: {@code float32} or {@code int64}
 * @param shape one entry per axis: a decimal size such as {@code "100"}, or a symbolic name such as
 *     {@code "batch"} for a dynamic axis
 */
public record TensorSpec(String name, String type, List<String> shape) {

  /** Size reported for a dynamic (symbolic) axis, as ONNX Runtime reports it too. */
  public static final long DYNAMIC = -1L;

  public TensorSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    shape = List.copyOf(shape);
  }

  /** The shape as sizes, {@link #DYNAMIC} for symbolic axes. */
  public long[] dims() {
    final long[] dims = new long[shape.size()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = isSymbolic(shape.get(i)) ? DYNAMIC : Long.parseLong(shape.get(i));
    }
    return dims;
  }

  /** Whether a shape entry names a dynamic axis rather than giving a size. */
  public static boolean isSymbolic(final String dim) {
    return !dim.chars().allMatch(Character::isDigit) || dim.isEmpty();
  }

  /** The shape as written in metadata.json, e.g. {@code [batch, 100]}. */
  public String shapeText() {
    return "[" + String.join(", ", shape) + "]";
  }
}
