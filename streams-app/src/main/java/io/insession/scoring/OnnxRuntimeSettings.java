package io.insession.scoring;

import java.util.Objects;

/**
 * How ONNX Runtime sessions are created. The defaults suit a Kafka Streams app on a small machine:
 * one intra-op and one inter-op thread per session call, sequential execution, all graph
 * optimizations, no spin-waiting (spinning threads would steal cores from the stream threads and
 * the broker).
 *
 * @param intraOpThreads threads ONNX Runtime uses inside one operator (per call), >= 1
 * @param interOpThreads threads for running independent operators in parallel, >= 1
 * @param device where to run the model
 * @param deviceId the CUDA device ordinal when {@code device} is CUDA, >= 0
 */
public record OnnxRuntimeSettings(
    int intraOpThreads, int interOpThreads, ScoringDevice device, int deviceId) {

  public OnnxRuntimeSettings {
    Objects.requireNonNull(device, "device");
    if (intraOpThreads < 1) {
      throw new IllegalArgumentException("intraOpThreads must be >= 1, got " + intraOpThreads);
    }
    if (interOpThreads < 1) {
      throw new IllegalArgumentException("interOpThreads must be >= 1, got " + interOpThreads);
    }
    if (deviceId < 0) {
      throw new IllegalArgumentException("deviceId must be >= 0, got " + deviceId);
    }
  }

  /** One intra-op and one inter-op thread on the CPU. */
  public static OnnxRuntimeSettings defaults() {
    return new OnnxRuntimeSettings(1, 1, ScoringDevice.CPU, 0);
  }

  /** The same settings on another device. */
  public OnnxRuntimeSettings withDevice(final ScoringDevice newDevice, final int newDeviceId) {
    return new OnnxRuntimeSettings(intraOpThreads, interOpThreads, newDevice, newDeviceId);
  }
}
