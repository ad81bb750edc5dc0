package io.insession.scoring;

import java.util.Locale;

/** Where ONNX Runtime runs the model. CPU is the default; CUDA needs the onnxruntime_gpu build. */
public enum ScoringDevice {
  /** ONNX Runtime's default CPU execution provider. */
  CPU,
  /** NVIDIA CUDA execution provider (falls back to CPU with a warning when not available). */
  CUDA;

  /**
   * Parses a setting value such as {@code cpu} or {@code cuda} (case-insensitive).
   *
   * @throws IllegalArgumentException for any other value
   */
  public static ScoringDevice parse(final String value) {
    final String normalized = value.trim().toUpperCase(Locale.ROOT);
    for (final ScoringDevice device : values()) {
      if (device.name().equals(normalized)) {
        return device;
      }
    }
    throw new IllegalArgumentException(
        "scoring device must be 'cpu' or 'cuda', got '" + value + "'");
  }

  /** The setting value, lower case. */
  public String settingValue() {
    return name().toLowerCase(Locale.ROOT);
  }
}
