package io.insession.runtime;

import io.insession.config.InSessionConfig;
import io.insession.scoring.ModelBundle;
import io.insession.scoring.OnnxGruScorer;
import io.insession.scoring.OnnxRuntime;
import io.insession.scoring.OnnxRuntimeSettings;
import io.insession.scoring.ScoringDevice;
import io.insession.scoring.SessionScorer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns the scoring settings into a ready scorer: the bundle verified, the session created. */
public final class Scoring {

  private static final Logger LOG = LoggerFactory.getLogger(Scoring.class);

  private Scoring() {}

  /** The ONNX Runtime of this process, as configured (device, threads). */
  public static OnnxRuntime runtime(final InSessionConfig config) {
    return OnnxRuntime.create(
        new OnnxRuntimeSettings(
            config.getInt(InSessionConfig.SCORING_INTRA_OP_THREADS),
            1,
            ScoringDevice.parse(config.getString(InSessionConfig.SCORING_DEVICE)),
            config.getInt(InSessionConfig.SCORING_DEVICE_ID)));
  }

  /** Loads and verifies the configured bundle and opens the GRU scorer on it. */
  public static SessionScorer open(final InSessionConfig config, final OnnxRuntime runtime) {
    final String location = config.getString(InSessionConfig.MODEL_BUNDLE);
    if (location.isBlank()) {
      throw new ConfigException(
          InSessionConfig.MODEL_BUNDLE, location, "no model bundle given (use --bundle DIR)");
    }
    final Path directory = Path.of(location);
    if (!Files.isDirectory(directory)) {
      throw new ConfigException(
          InSessionConfig.MODEL_BUNDLE, location, "not a directory holding a model bundle");
    }
    final long start = System.nanoTime();
    final OnnxGruScorer scorer = OnnxGruScorer.create(ModelBundle.load(directory), runtime);
    LOG.info(
        "Serving model {} {} from {} on {} (loaded in {} ms)",
        scorer.model().name(),
        scorer.model().version(),
        directory,
        runtime.effectiveDevice(),
        (System.nanoTime() - start) / 1_000_000);
    return scorer;
  }
}
