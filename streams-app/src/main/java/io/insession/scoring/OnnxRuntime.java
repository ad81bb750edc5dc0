package io.insession.scoring;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's one handle on ONNX Runtime: the process-wide {@link OrtEnvironment} plus the
 * settings every model session is created with.
 *
 * <p>{@link OrtEnvironment#getEnvironment()} returns a process singleton, so the application
 * creates one {@code OnnxRuntime} at start and passes it to every scorer; scorers close only their
 * own {@link OrtSession}, never the environment (the JVM releases it at exit). The device is
 * resolved once here: when CUDA is requested but ONNX Runtime has no CUDA provider (the CPU-only
 * jar, or no GPU), the runtime falls back to CPU with one WARN line rather than failing the app.
 */
public final class OnnxRuntime {

  private static final Logger LOG = LoggerFactory.getLogger(OnnxRuntime.class);

  private final OrtEnvironment environment;
  private final OnnxRuntimeSettings settings;
  private final ScoringDevice effectiveDevice;

  OnnxRuntime(
      final OrtEnvironment environment,
      final OnnxRuntimeSettings settings,
      final Set<OrtProvider> availableProviders) {
    this.environment = Objects.requireNonNull(environment, "environment");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.effectiveDevice = resolveDevice(settings, availableProviders);
  }

  /** Takes the process's ONNX Runtime environment and resolves the device once. */
  public static OnnxRuntime create(final OnnxRuntimeSettings settings) {
    final OrtEnvironment environment = OrtEnvironment.getEnvironment();
    final EnumSet<OrtProvider> providers = OrtEnvironment.getAvailableProviders();
    LOG.info(
        "ONNX Runtime {}: available providers {}, requested device {}",
        environment.getVersion(),
        providers,
        settings.device().settingValue());
    return new OnnxRuntime(environment, settings, providers);
  }

  /** The process-wide environment (owned by ONNX Runtime; never close it). */
  public OrtEnvironment environment() {
    return environment;
  }

  /** The settings sessions are created with, as requested. */
  public OnnxRuntimeSettings settings() {
    return settings;
  }

  /** The device sessions actually run on (CPU after a CUDA fallback). */
  public ScoringDevice effectiveDevice() {
    return effectiveDevice;
  }

  /**
   * Creates a session for an ONNX model file with this runtime's settings. The caller owns (and
   * closes) the session.
   */
  public OrtSession createSession(final Path modelFile) throws OrtException {
    try (OrtSession.SessionOptions options = sessionOptions()) {
      return environment.createSession(modelFile.toString(), options);
    }
  }

  /** Session options from the settings; ONNX Runtime copies them into each session it creates. */
  OrtSession.SessionOptions sessionOptions() throws OrtException {
    final OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    try {
      options.setIntraOpNumThreads(settings.intraOpThreads());
      options.setInterOpNumThreads(settings.interOpThreads());
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      options.addConfigEntry("session.intra_op.allow_spinning", "0");
      options.addConfigEntry("session.inter_op.allow_spinning", "0");
      if (effectiveDevice == ScoringDevice.CUDA) {
        options.addCUDA(settings.deviceId());
      }
      return options;
    } catch (final OrtException | RuntimeException e) {
      options.close();
      throw e;
    }
  }

  /**
   * CUDA only when ONNX Runtime lists the provider and accepts it for the configured device;
   * otherwise CPU, with one WARN line saying why.
   */
  private static ScoringDevice resolveDevice(
      final OnnxRuntimeSettings settings, final Set<OrtProvider> availableProviders) {
    if (settings.device() != ScoringDevice.CUDA) {
      return settings.device();
    }
    if (!availableProviders.contains(OrtProvider.CUDA)) {
      LOG.warn(
          "Scoring device 'cuda' requested, but ONNX Runtime's CUDA execution provider is not"
              + " available (available: {}); falling back to CPU. Build with -Pgpu"
              + " (onnxruntime_gpu) and run on a machine with CUDA to use the GPU.",
          availableProviders);
      return ScoringDevice.CPU;
    }
    try (OrtSession.SessionOptions probe = new OrtSession.SessionOptions()) {
      probe.addCUDA(settings.deviceId());
      return ScoringDevice.CUDA;
    } catch (final OrtException e) {
      LOG.warn(
          "Scoring device 'cuda' requested, but ONNX Runtime could not enable CUDA device {} ({});"
              + " falling back to CPU.",
          settings.deviceId(),
          e.getMessage());
      return ScoringDevice.CPU;
    }
  }
}
