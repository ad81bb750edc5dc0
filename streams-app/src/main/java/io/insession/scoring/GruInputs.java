package io.insession.scoring;

import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * Tensor building for one batched step: the item indices ({@code item_idx}, int64 [batch]), the
 * hidden states ({@code hidden}, float32 [batch, hidden_size], row-major) of the requests whose
 * item the model knows, and for a repeat-aware model the sessions' recent items ({@code
 * recent_items}, int64 [batch, R], row-major): the current item first, then the session's earlier
 * items from the most recent back, as model indices, −1 for an item the model does not know and for
 * padding when the session has fewer than R items.
 */
final class GruInputs {

  private static final long PADDING = -1L;

  private final long[] itemIndices;
  private final float[] hidden;
  private final long[] recent;
  private final int hiddenSize;
  private final int recentSize;
  private int rows;

  /** An empty batch of exactly {@code capacity} rows; {@code recentSize} 0 for a plain model. */
  GruInputs(final int capacity, final int hiddenSize, final int recentSize) {
    if (recentSize < 0) {
      throw new IllegalArgumentException("recentSize must be >= 0, got " + recentSize);
    }
    this.itemIndices = new long[capacity];
    this.hidden = new float[capacity * hiddenSize];
    this.recent = new long[capacity * recentSize];
    Arrays.fill(recent, PADDING);
    this.hiddenSize = hiddenSize;
    this.recentSize = recentSize;
  }

  /**
   * Appends one session: its item's model index, its stored state (empty = zeros) and, for a
   * repeat-aware model, its earlier items ({@code recentItems}, oldest first, as {@link
   * StepRequest#recentItems()} holds them) mapped by {@code indexOf}.
   */
  void add(
      final int itemIndex,
      final byte[] state,
      final HiddenStateCodec codec,
      final List<String> recentItems,
      final Function<String, OptionalInt> indexOf) {
    codec.decodeInto(state, hidden, rows * hiddenSize);
    itemIndices[rows] = itemIndex;
    if (recentSize > 0) {
      final int base = rows * recentSize;
      recent[base] = itemIndex;
      final int earlier = Math.min(recentSize - 1, recentItems.size());
      for (int j = 1; j <= earlier; j++) {
        recent[base + j] = indexOf.apply(recentItems.get(recentItems.size() - j)).orElse(-1);
      }
    }
    rows++;
  }

  int rows() {
    return rows;
  }

  /** Whether the batch has a {@code recent_items} tensor (a repeat-aware model). */
  boolean hasRecentItems() {
    return recentSize > 0;
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

  /** Recent items, R per row, row-major; the batch must be full. */
  long[] recentItems() {
    requireFull();
    return recent;
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

  long[] recentShape() {
    return new long[] {rows, recentSize};
  }
}
