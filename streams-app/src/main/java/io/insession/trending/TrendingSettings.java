package io.insession.trending;

import io.insession.config.InSessionConfig;
import java.util.Map;

/**
 * What live trending needs from the configuration (the keys {@code insession.trending.*}).
 *
 * @param enabled whether the topology counts and publishes trending lists
 * @param halfLifeMs half-life of the decay, in event time
 * @param topN items per scope in each published list
 * @param publishIntervalMs how often (wall-clock time) a counting task publishes its top items
 * @param minScore decayed counts below this are forgotten at the next publication
 */
public record TrendingSettings(
    boolean enabled, long halfLifeMs, int topN, long publishIntervalMs, double minScore) {

  /** InSession's defaults (trending on), read from {@link InSessionConfig}'s definitions. */
  public static TrendingSettings defaults() {
    return from(InSessionConfig.of(Map.of()));
  }

  public TrendingSettings {
    if (halfLifeMs < 1 || topN < 1 || publishIntervalMs < 1 || !(minScore > 0)) {
      throw new IllegalArgumentException("trending settings must be positive: " + this);
    }
  }

  public static TrendingSettings from(final InSessionConfig config) {
    return new TrendingSettings(
        config.getBoolean(InSessionConfig.TRENDING_ENABLED),
        config.getLong(InSessionConfig.TRENDING_HALF_LIFE_MS),
        config.getInt(InSessionConfig.TRENDING_TOP_N),
        config.getLong(InSessionConfig.TRENDING_PUBLISH_INTERVAL_MS),
        config.getDouble(InSessionConfig.TRENDING_MIN_SCORE));
  }

  /** The same settings, switched on. */
  public TrendingSettings on() {
    return new TrendingSettings(true, halfLifeMs, topN, publishIntervalMs, minScore);
  }
}
