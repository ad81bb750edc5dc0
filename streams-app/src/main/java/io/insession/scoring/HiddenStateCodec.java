package io.insession.scoring;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * The GRU scorer's state format: the hidden state as {@code hidden_size} little-endian float32
 * values ({@code 4 × hidden_size} bytes); an empty state means a new session (zeros).
 *
 * <p>A state of any other length was written by a model with another hidden size. That is an error
 * here, not a silent reset: the topology knows which model version wrote a state and resets it
 * itself when the model changes.
 */
public final class HiddenStateCodec {

  private final int hiddenSize;
  private final ModelInfo model;

  /** A codec for states of {@code hiddenSize} floats of the given model. */
  public HiddenStateCodec(final int hiddenSize, final ModelInfo model) {
    if (hiddenSize < 1) {
      throw new IllegalArgumentException("hiddenSize must be >= 1, got " + hiddenSize);
    }
    this.hiddenSize = hiddenSize;
    this.model = Objects.requireNonNull(model, "model");
  }

  /** Floats per state. */
  public int hiddenSize() {
    return hiddenSize;
  }

  /** Bytes of a non-empty state. */
  public int stateBytes() {
    return hiddenSize * Float.BYTES;
  }

  /** Whether {@code state} is empty or has exactly this model's length. */
  public boolean fits(final byte[] state) {
    return state.length == 0 || state.length == stateBytes();
  }

  /**
   * The hidden state in {@code state}, zeros for an empty state.
   *
   * @throws IllegalArgumentException when the state has another length
   */
  public float[] decode(final byte[] state) {
    final float[] hidden = new float[hiddenSize];
    decodeInto(state, hidden, 0);
    return hidden;
  }

  /**
   * Writes the hidden state in {@code state} (zeros for an empty state) into {@code target} from
   * {@code offset}: one row of a batch.
   *
   * @throws IllegalArgumentException when the state has another length
   */
  public void decodeInto(final byte[] state, final float[] target, final int offset) {
    Objects.checkFromIndexSize(offset, hiddenSize, target.length);
    requireFits(state);
    if (state.length == 0) {
      Arrays.fill(target, offset, offset + hiddenSize, 0f);
      return;
    }
    ByteBuffer.wrap(state)
        .order(ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer()
        .get(target, offset, hiddenSize);
  }

  /**
   * Checks that {@code state} is empty or has exactly this model's length.
   *
   * @throws IllegalArgumentException naming both lengths and the model otherwise
   */
  public void requireFits(final byte[] state) {
    if (!fits(state)) {
      throw new IllegalArgumentException(
          "scorer state has "
              + state.length
              + " bytes, but model "
              + model.name()
              + "/"
              + model.version()
              + " expects "
              + stateBytes()
              + " (hidden_size "
              + hiddenSize
              + " × 4-byte float32) or 0 for a new session; a state from another model must be"
              + " reset by the caller");
    }
  }

  /** The state bytes of {@code hiddenSize} floats of {@code source} from {@code offset}. */
  public byte[] encode(final float[] source, final int offset) {
    Objects.checkFromIndexSize(offset, hiddenSize, source.length);
    final byte[] state = new byte[stateBytes()];
    ByteBuffer.wrap(state)
        .order(ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer()
        .put(source, offset, hiddenSize);
    return state;
  }

  /** The state bytes of a whole hidden state. */
  public byte[] encode(final float[] hidden) {
    if (hidden.length != hiddenSize) {
      throw new IllegalArgumentException(
          "hidden state has " + hidden.length + " floats, expected " + hiddenSize);
    }
    return encode(hidden, 0);
  }
}
