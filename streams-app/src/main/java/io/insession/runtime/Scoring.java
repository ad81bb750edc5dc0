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
import java.util.function.Function;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the scoring settings into ready scorers: each bundle verified, its session created, the
 * variants of {@code insession.variants} assembled.
 */
public final class Scoring {

  private static final Logger LOG = LoggerFactory.getLogger(Scoring.class);
  private static final String MODEL = InSessionConfig.MODEL_BUNDLE;

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
    return openBundle(configuredBundle(config), MODEL, config, runtime, new HashMap<>());
  }

  /**
   * Opens the variants of {@code insession.variants}: each bundle loaded, verified and opened once
   * (variants on the same bundle share its scorer), the popularity control from the configured
   * bundle's counts. On a failure the scorers opened so far are closed.
   */
  public static ScorerVariants openVariants(
      final InSessionConfig config, final OnnxRuntime runtime) {
    final ScorerVariants set =
        open(
            config,
            runtime,
            config.variants(),
            config.getString(InSessionConfig.VARIANTS_SALT),
            Path::of,
            false);
    LOG.info("Serving variants {}", set);
    return set;
  }

  /**
   * Opens the variants of a deployment (docs/roll-outs.md): as {@link #openVariants}, with each
   * source that is neither {@code bundle} nor {@code popular} located by {@code locate} (e.g. a
   * registry reference resolved, and so re-verified, by the model registry), and the popularity
   * control from the first model variant's bundle (the configured bundle when there is none).
   *
   * @throws RuntimeException naming what failed: a missing, tampered or invalid bundle, an unknown
   *     registry reference; the scorers opened so far are closed
   */
  public static ScorerVariants openDeployment(
      final InSessionConfig config,
      final OnnxRuntime runtime,
      final List<VariantSpec> variants,
      final String salt,
      final Function<String, Path> locate) {
    return open(config, runtime, variants, salt, locate, true);
  }

  private static ScorerVariants open(
      final InSessionConfig config,
      final OnnxRuntime runtime,
      final List<VariantSpec> specs,
      final String salt,
      final Function<String, Path> locate,
      final boolean popularFromFirstModel) {
    final Map<Path, OnnxGruScorer> gru = new HashMap<>();
    final List<ScorerVariant> variants = new ArrayList<>();
    PopularityScorer popular = null;
    try {
      for (final VariantSpec spec : specs) {
        final SessionScorer scorer;
        if (spec.isPopular()) {
          if (popular == null) {
            popular =
                PopularityScorer.fromBundle(
                    popularBase(specs, config, runtime, gru, locate, popularFromFirstModel));
          }
          scorer = popular;
        } else {
          scorer = openModel(spec, config, runtime, gru, locate);
        }
        variants.add(new ScorerVariant(spec.name(), spec.weight(), scorer));
      }
      return ScorerVariants.of(variants, salt);
    } catch (RuntimeException e) {
      gru.values().forEach(OnnxGruScorer::close);
      if (popular != null) {
        popular.close();
      }
      throw e;
    }
  }

  /** The bundle whose counts the popularity control serves. */
  private static ModelBundle popularBase(
      final List<VariantSpec> specs,
      final InSessionConfig config,
      final OnnxRuntime runtime,
      final Map<Path, OnnxGruScorer> opened,
      final Function<String, Path> locate,
      final boolean fromFirstModel) {
    if (fromFirstModel) {
      for (final VariantSpec spec : specs) {
        if (!spec.isPopular()) {
          return openModel(spec, config, runtime, opened, locate).bundle();
        }
      }
      return ModelBundle.load(bundleDirectory(configuredBundle(config), MODEL));
    }
    return openBundle(configuredBundle(config), MODEL, config, runtime, opened).bundle();
  }

  private static OnnxGruScorer openModel(
      final VariantSpec spec,
      final InSessionConfig config,
      final OnnxRuntime runtime,
      final Map<Path, OnnxGruScorer> opened,
      final Function<String, Path> locate) {
    if (spec.isConfiguredBundle()) {
      return openBundle(configuredBundle(config), MODEL, config, runtime, opened);
    }
    return openBundle(
        locate.apply(spec.source()).toString(), InSessionConfig.VARIANTS, config, runtime, opened);
  }

  /**
   * Refuses a repeat-aware model that would see fewer of a session's recent items than it reads:
   * its {@code recent_items} input holds the event's item and R − 1 earlier ones, so {@code
   * insession.session.recent.items} must keep at least R − 1 (a session that has fewer items, or
   * whose oldest items the state's byte bound dropped, is padded).
   *
   * @throws ConfigException naming the setting, the model and the least value it needs
   */
  public static void requireRememberedItems(
      final OnnxGruScorer scorer, final InSessionConfig config) {
    final int kept = config.getInt(InSessionConfig.SESSION_RECENT_ITEMS);
    final int needed = scorer.rememberedItemsNeeded();
    if (kept < needed) {
      throw new ConfigException(
          InSessionConfig.SESSION_RECENT_ITEMS,
          kept,
          "model "
              + scorer.model().name()
              + "/"
              + scorer.model().version()
              + " is repeat-aware and reads the event's item and the session's "
              + needed
              + " items before it (recent_items "
              + scorer.bundle().recentItems()
              + "); set "
              + InSessionConfig.SESSION_RECENT_ITEMS
              + " to at least "
              + needed);
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

  private static Path bundleDirectory(final String location, final String key) {
    final Path directory = Path.of(location);
    if (!Files.isDirectory(directory)) {
      throw new ConfigException(key, location, "not a directory holding a model bundle");
    }
    return directory;
  }

  private static OnnxGruScorer openBundle(
      final String location,
      final String key,
      final InSessionConfig config,
      final OnnxRuntime runtime,
      final Map<Path, OnnxGruScorer> opened) {
    final Path directory = bundleDirectory(location, key);
    final Path normalized = directory.toAbsolutePath().normalize();
    final OnnxGruScorer known = opened.get(normalized);
    if (known != null) {
      return known;
    }
    final long start = System.nanoTime();
    final OnnxGruScorer scorer = OnnxGruScorer.create(ModelBundle.load(directory), runtime);
    try {
      requireRememberedItems(scorer, config);
    } catch (final ConfigException e) {
      scorer.close();
      throw e;
    }
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
