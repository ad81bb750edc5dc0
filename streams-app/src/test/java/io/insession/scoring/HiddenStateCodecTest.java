package io.insession.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HiddenStateCodecTest {

  private final HiddenStateCodec codec = new HiddenStateCodec(3, new ModelInfo("m", "v1"));

  @Test
  void shouldRoundTripFloatsThroughStateBytes() {
    final float[] hidden = {1.5f, -0.25f, Float.MIN_VALUE};

    final byte[] state = codec.encode(hidden);

    assertThat(state).hasSize(12);
    assertThat(codec.decode(state)).containsExactly(hidden);
  }

  @Test
  void shouldWriteLittleEndianFloat32() {
    final byte[] state = codec.encode(new float[] {1.0f, 0f, -2.0f});

    // 1.0f = 0x3F800000, -2.0f = 0xC0000000, least significant byte first
    assertThat(state).containsExactly(0, 0, (byte) 0x80, 0x3F, 0, 0, 0, 0, 0, 0, 0, (byte) 0xC0);
  }

  @Test
  void shouldDecodeAnEmptyStateAsZeros() {
    assertThat(codec.decode(new byte[0])).containsExactly(0f, 0f, 0f);
  }

  @Test
  void shouldDecodeIntoARowOfABatch() {
    final float[] batch = {9f, 9f, 9f, 9f, 9f, 9f, 9f};

    codec.decodeInto(codec.encode(new float[] {1f, 2f, 3f}), batch, 1);
    codec.decodeInto(new byte[0], batch, 4);

    assertThat(batch).containsExactly(9f, 1f, 2f, 3f, 0f, 0f, 0f);
  }

  @Test
  void shouldRejectAStateOfAnotherLengthNamingModelAndSizes() {
    assertThatThrownBy(() -> codec.decode(new byte[16]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "scorer state has 16 bytes, but model m/v1 expects 12 (hidden_size 3 × 4-byte float32)"
                + " or 0 for a new session");
    assertThat(codec.fits(new byte[16])).isFalse();
    assertThat(codec.fits(new byte[12])).isTrue();
    assertThat(codec.fits(new byte[0])).isTrue();
  }

  @Test
  void shouldRejectAHiddenStateOfAnotherSize() {
    assertThatThrownBy(() -> codec.encode(new float[4]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("hidden state has 4 floats, expected 3");
  }
}
