package io.insession.runtime;

import io.insession.config.InSessionConfig;
import io.insession.config.VariantSpec;
import io.insession.scoring.ModelBundle;
import io.insession.scoring.OnnxGruScorer;
import io.insession.scoring.OnnxRuntime;
import io.insession.scoring.OnnxRuntimeSettings;
import io.insession.scoring.PopularityScorer;
import io.insession.scoring.ScorerVariant;
import io.insession.scoring.ScorerVariants;
import io.insession.scoring.ScoringDevice;
import io.insession.scoring.SessionScorer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the scoring settings into ready scorers: each bundle verified, its session created, the
 * variants of {@code insession.variants} assembled.
 */
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
    return openBundle(
        configuredBundle(config), InSessionConfig.MODEL_BUNDLE, runtime, new HashMap<>());
  }

  /**
   * Opens the variants of {@code insession.variants}: each bundle loaded, verified and opened once
   * (variants on the same bundle share its scorer), the popularity control from the configured
   * bundle's counts. On a failure the scorers opened so far are closed.
   */
  public static ScorerVariants openVariants(
      final InSessionConfig config, final OnnxRuntime runtime) {
    final Map<Path, OnnxGruScorer> gru = new HashMap<>();
    final List<ScorerVariant> variants = new ArrayList<>();
    PopularityScorer popular = null;
    try {
      for (final VariantSpec spec : config.variants()) {
        final SessionScorer scorer;
        if (spec.isConfiguredBundle()) {
          scorer = openBundle(configuredBundle(config), InSessionConfig.MODEL_BUNDLE, runtime, gru);
        } else if (spec.isPopular()) {
          if (popular == null) {
            popular =
                PopularityScorer.fromBundle(
                    openBundle(configuredBundle(config), InSessionConfig.MODEL_BUNDLE, runtime, gru)
                        .bundle());
          }
          scorer = popular;
        } else {
          scorer = openBundle(spec.source(), InSessionConfig.VARIANTS, runtime, gru);
        }
        variants.add(new ScorerVariant(spec.name(), spec.weight(), scorer));
      }
      final ScorerVariants set =
          ScorerVariants.of(variants, config.getString(InSessionConfig.VARIANTS_SALT));
      LOG.info("Serving variants {}", set);
      return set;
    } catch (RuntimeException e) {
      gru.values().forEach(OnnxGruScorer::close);
      if (popular != null) {
        popular.close();
      }
      throw e;
    }
  }

  private static String configuredBundle(final InSessionConfig config) {
    final String location = config.getString(InSessionConfig.MODEL_BUNDLE);
    if (location.isBlank()) {
      throw new ConfigException(
          InSessionConfig.MODEL_BUNDLE, location, "no model bundle given (use --bundle DIR)");
    }
    return location;
  }

  private static OnnxGruScorer openBundle(
      final String location,
      final String key,
      final OnnxRuntime runtime,
      final Map<Path, OnnxGruScorer> opened) {
    final Path directory = Path.of(location);
    if (!Files.isDirectory(directory)) {
      throw new ConfigException(key, location, "not a directory holding a model bundle");
    }
    final Path normalized = directory.toAbsolutePath().normalize();
    final OnnxGruScorer known = opened.get(normalized);
    if (known != null) {
      return known;
    }
    final long start = System.nanoTime();
    final OnnxGruScorer scorer = OnnxGruScorer.create(ModelBundle.load(directory), runtime);
    opened.put(normalized, scorer);
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
