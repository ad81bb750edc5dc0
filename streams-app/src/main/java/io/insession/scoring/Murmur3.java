package io.insession.scoring;

/**
 * MurmurHash3 x86 32-bit (Austin Appleby's public-domain algorithm): a stable hash, the same on
 * every JVM and across restarts, unlike {@link String#hashCode()} on a mixed-up input.
 */
final class Murmur3 {

  private static final int C1 = 0xcc9e2d51;
  private static final int C2 = 0x1b873593;

  private Murmur3() {}

  /** The 32-bit hash of {@code data} with {@code seed}. */
  static int hash32(final byte[] data, final int seed) {
    int h = seed;
    final int blocks = data.length / 4;
    for (int i = 0; i < blocks; i++) {
      final int at = i * 4;
      final int k =
          (data[at] & 0xff)
              | (data[at + 1] & 0xff) << 8
              | (data[at + 2] & 0xff) << 16
              | (data[at + 3] & 0xff) << 24;
      h ^= mixK(k);
      h = Integer.rotateLeft(h, 13) * 5 + 0xe6546b64;
    }
    final int tail = blocks * 4;
    final int rest = data.length & 3;
    if (rest > 0) {
      int k = 0;
      for (int i = rest - 1; i >= 0; i--) {
        k = k << 8 | data[tail + i] & 0xff;
      }
      h ^= mixK(k);
    }
    h ^= data.length;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }

  private static int mixK(final int k) {
    return Integer.rotateLeft(k * C1, 15) * C2;
  }
}
