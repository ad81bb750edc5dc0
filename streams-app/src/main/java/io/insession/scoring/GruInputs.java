package io.insession.scoring;

/**
 * Tensor building for one batched step: the item indices ({@code item_idx}, int64 [batch]) and the
 * hidden states ({@code hidden}, float32 [batch, hidden_size], row-major) of the requests whose
 * item the model knows.
 */
final class GruInputs {

  private final long[] itemIndices;
  private final float[] hidden;
  private final int hiddenSize;
  private int rows;

  /** An empty batch of exactly {@code rows} rows. */
  GruInputs(final int capacity, final int hiddenSize) {
    this.itemIndices = new long[capacity];
    this.hidden = new float[capacity * hiddenSize];
    this.hiddenSize = hiddenSize;
  }

  /** Appends one session: its item's model index and its stored state (empty = zeros). */
  void add(final int itemIndex, final byte[] state, final HiddenStateCodec codec) {
    codec.decodeInto(state, hidden, rows * hiddenSize);
    itemIndices[rows] = itemIndex;
    rows++;
  }

  int rows() {
    return rows;
  }

  /** Item indices, one per row; the batch must be full. */
  long[] itemIndices() {
    requireFull();
    return itemIndices;
  }

  /** Hidden states, row-major; the batch must be full. */
  float[] hidden() {
    requireFull();
    return hidden;
  }

  private void requireFull() {
    if (rows != itemIndices.length) {
      throw new IllegalStateException(
          "batch has " + rows + " of " + itemIndices.length + " rows filled");
    }
  }

  long[] itemShape() {
    return new long[] {rows};
  }

  long[] hiddenShape() {
    return new long[] {rows, hiddenSize};
  }
}
