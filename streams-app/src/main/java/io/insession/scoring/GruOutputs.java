package io.insession.scoring;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Output decoding for one batched step: the new hidden states and the top-K (index, score) lists,
 * copied out of the ONNX Runtime result so that the result can be closed at once, and turned into
 * item ids.
 */
final class GruOutputs {

  private final int rows;
  private final int hiddenSize;
  private final int topK;
  private final float[] newHidden;
  private final float[] topkScores;
  private final long[] topkItems;

  GruOutputs(
      final int rows,
      final int hiddenSize,
      final int topK,
      final float[] newHidden,
      final float[] topkScores,
      final long[] topkItems) {
    this.rows = rows;
    this.hiddenSize = hiddenSize;
    this.topK = topK;
    this.newHidden = requireLength(newHidden, rows * hiddenSize, StepModelContract.NEW_HIDDEN);
    this.topkScores = requireLength(topkScores, rows * topK, StepModelContract.TOPK_SCORES);
    this.topkItems = requireLength(topkItems, rows * topK, StepModelContract.TOPK_ITEMS);
  }

  /** Copies the three outputs of a step model run of {@code rows} rows. */
  static GruOutputs read(
      final OrtSession.Result result, final int rows, final int hiddenSize, final int topK) {
    final FloatBuffer hidden = tensor(result, StepModelContract.NEW_HIDDEN).getFloatBuffer();
    final FloatBuffer scores = tensor(result, StepModelContract.TOPK_SCORES).getFloatBuffer();
    final LongBuffer items = tensor(result, StepModelContract.TOPK_ITEMS).getLongBuffer();
    if (hidden == null || scores == null || items == null) {
      throw new IllegalStateException("an output tensor has an unexpected element type");
    }
    final float[] h = new float[hidden.remaining()];
    hidden.get(h);
    final float[] s = new float[scores.remaining()];
    scores.get(s);
    final long[] i = new long[items.remaining()];
    items.get(i);
    return new GruOutputs(rows, hiddenSize, topK, h, s, i);
  }

  int rows() {
    return rows;
  }

  /** The new hidden state of one row, as state bytes. */
  byte[] newState(final int row, final HiddenStateCodec codec) {
    return codec.encode(newHidden, row * hiddenSize);
  }

  /** The new hidden state of one row. */
  float[] newHidden(final int row) {
    final float[] h = new float[hiddenSize];
    System.arraycopy(newHidden, row * hiddenSize, h, 0, hiddenSize);
    return h;
  }

  /** The top-K model indices of one row, best first. */
  long[] topkItems(final int row) {
    final long[] items = new long[topK];
    System.arraycopy(topkItems, row * topK, items, 0, topK);
    return items;
  }

  /** The top-K scores of one row, best first. */
  float[] topkScores(final int row) {
    final float[] scores = new float[topK];
    System.arraycopy(topkScores, row * topK, scores, 0, topK);
    return scores;
  }

  /**
   * The candidates of one row, best first: model indices mapped to item ids.
   *
   * @throws IllegalStateException when the model returned an index outside the vocabulary
   */
  List<Candidate> candidates(final int row, final ModelBundle bundle) {
    final List<Candidate> candidates = new ArrayList<>(topK);
    for (int k = 0; k < topK; k++) {
      final long index = topkItems[row * topK + k];
      if (index < 0 || index >= bundle.numItems()) {
        throw new IllegalStateException(
            "topk_items holds index " + index + " outside [0, " + bundle.numItems() + ")");
      }
      candidates.add(new Candidate(bundle.itemId((int) index), topkScores[row * topK + k]));
    }
    return candidates;
  }

  private static OnnxTensor tensor(final OrtSession.Result result, final String name) {
    final Optional<OnnxValue> value = result.get(name);
    if (value.isEmpty()) {
      throw new IllegalStateException("the result has no output '" + name + "'");
    }
    if (!(value.get() instanceof OnnxTensor)) {
      throw new IllegalStateException("output '" + name + "' is not a tensor");
    }
    return (OnnxTensor) value.get();
  }

  private static float[] requireLength(final float[] values, final int length, final String name) {
    if (values.length != length) {
      throw new IllegalStateException(
          "output '" + name + "' has " + values.length + " values, expected " + length);
    }
    return values;
  }

  private static long[] requireLength(final long[] values, final int length, final String name) {
    if (values.length != length) {
      throw new IllegalStateException(
          "output '" + name + "' has " + values.length + " values, expected " + length);
    }
    return values;
  }
}
