package io.insession.experiments;

import io.insession.config.InSessionConfig;
import java.util.Map;

/**
 * What the experiment part of the topology needs from the configuration (docs/experiments.md).
 *
 * @param enabled whether the topology attributes events and computes KPIs at all
 * @param attributionLists N of the attribution rule: the session's last N lists are candidates
 * @param windowMs length of the tumbling (cohort) windows
 * @param windowsRetained how many of the latest windows are kept and updated
 * @param emitIntervalMs how often (wall clock) a task sends the sums it changed to the merge
 * @param control the variant the lifts are measured against
 * @param confidence two-sided confidence of every interval
 */
public record ExperimentSettings(
    boolean enabled,
    int attributionLists,
    long windowMs,
    int windowsRetained,
    long emitIntervalMs,
    String control,
    double confidence) {

  /** Most order ids a session remembers to count the purchase events of one order once. */
  static final int RECENT_ORDER_IDS = 20;

  private static final ExperimentSettings DEFAULTS = from(InSessionConfig.of(Map.of()));

  /** Checks the bounds. */
  public ExperimentSettings {
    if (attributionLists < 1
        || windowMs < 1
        || windowsRetained < 1
        || emitIntervalMs < 1
        || control == null
        || control.isBlank()
        || !(confidence > 0 && confidence < 1)) {
      throw new IllegalArgumentException("invalid experiment settings: " + this);
    }
  }

  /** The settings of {@code config}. */
  public static ExperimentSettings from(final InSessionConfig config) {
    return new ExperimentSettings(
        config.getBoolean(InSessionConfig.EXPERIMENTS_ENABLED),
        config.getInt(InSessionConfig.EXPERIMENTS_ATTRIBUTION_LISTS),
        config.getLong(InSessionConfig.EXPERIMENTS_WINDOW_MS),
        config.getInt(InSessionConfig.EXPERIMENTS_WINDOWS_RETAINED),
        config.getLong(InSessionConfig.EXPERIMENTS_EMIT_INTERVAL_MS),
        config.getString(InSessionConfig.EXPERIMENTS_CONTROL),
        config.getDouble(InSessionConfig.EXPERIMENTS_CONFIDENCE));
  }

  /** InSession's defaults. */
  public static ExperimentSettings defaults() {
    return DEFAULTS;
  }

  /** The same settings, switched on or off. */
  public ExperimentSettings withEnabled(final boolean on) {
    return new ExperimentSettings(
        on, attributionLists, windowMs, windowsRetained, emitIntervalMs, control, confidence);
  }

  /** Start of the window {@code epochMillis} falls in. */
  long windowStart(final long epochMillis) {
    return Math.floorDiv(epochMillis, windowMs) * windowMs;
  }
}
