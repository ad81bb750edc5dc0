package io.insession.topology;

import io.insession.config.ExcludeSeenSpec;
import io.insession.config.InSessionConfig;
import io.insession.experiments.ExperimentSettings;
import io.insession.rules.RuleSettings;
import io.insession.trending.TrendingSettings;

/**
 * What the topology needs from the configuration.
 *
 * @param sessionGapMs inactivity after which a session ends
 * @param expiryScanIntervalMs how often (wall-clock time) expired sessions are removed
 * @param recentItems how many recent items a session remembers
 * @param listLength length of each emitted list
 * @param excludeSeen which seen items the rules drop ({@code insession.rules.exclude.seen})
 * @param batchMaxSize most events scored in one scorer call (1 = score each event at once)
 * @param batchMaxDelayMs longest wall-clock wait before a partial batch is scored
 * @param batchEager whether a batch is scored as soon as the stream thread is free (it polls again)
 *     instead of waiting for the delay
 * @param safety limits against hostile input, dedup memory, state and dead-letter bounds
 * @param rules the rule chain of each variant and the rules' parameters (docs/catalog.md)
 * @param trending live trending: on or off, decay, list size, publication (docs/trending.md)
 * @param experiments attribution and live KPIs per variant (docs/experiments.md)
 */
public record TopologySettings(
    long sessionGapMs,
    long expiryScanIntervalMs,
    int recentItems,
    int listLength,
    ExcludeSeenSpec excludeSeen,
    int batchMaxSize,
    long batchMaxDelayMs,
    boolean batchEager,
    StreamSafety safety,
    RuleSettings rules,
    TrendingSettings trending,
    ExperimentSettings experiments) {

  /** The settings with InSession's default {@link StreamSafety}. */
  public TopologySettings(
      final long sessionGapMs,
      final long expiryScanIntervalMs,
      final int recentItems,
      final int listLength,
      final ExcludeSeenSpec excludeSeen,
      final int batchMaxSize,
      final long batchMaxDelayMs) {
    this(
        sessionGapMs,
        expiryScanIntervalMs,
        recentItems,
        listLength,
        excludeSeen,
        batchMaxSize,
        batchMaxDelayMs,
        true,
        StreamSafety.defaults(),
        RuleSettings.defaults(),
        TrendingSettings.defaults(),
        ExperimentSettings.defaults());
  }

  public TopologySettings {
    if (sessionGapMs < 1
        || expiryScanIntervalMs < 1
        || recentItems < 1
        || listLength < 1
        || batchMaxSize < 1
        || batchMaxDelayMs < 1
        || safety == null
        || excludeSeen == null
        || rules == null
        || trending == null
        || experiments == null) {
      throw new IllegalArgumentException("topology settings must be positive: " + this);
    }
  }

  /** Settings that score each event at once (no micro-batching). */
  public static TopologySettings unbatched(
      final long sessionGapMs,
      final long expiryScanIntervalMs,
      final int recentItems,
      final int listLength,
      final boolean excludeSeen) {
    return unbatched(
        sessionGapMs,
        expiryScanIntervalMs,
        recentItems,
        listLength,
        ExcludeSeenSpec.of(excludeSeen));
  }

  /** Settings that score each event at once, with a seen-items option. */
  public static TopologySettings unbatched(
      final long sessionGapMs,
      final long expiryScanIntervalMs,
      final int recentItems,
      final int listLength,
      final ExcludeSeenSpec excludeSeen) {
    return new TopologySettings(
        sessionGapMs, expiryScanIntervalMs, recentItems, listLength, excludeSeen, 1, 1);
  }

  /** The same settings with another micro-batch size and delay. */
  public TopologySettings withBatching(final int maxSize, final long maxDelayMs) {
    return new TopologySettings(
        sessionGapMs,
        expiryScanIntervalMs,
        recentItems,
        listLength,
        excludeSeen,
        maxSize,
        maxDelayMs,
        batchEager,
        safety,
        rules,
        trending,
        experiments);
  }

  /** The same settings with eager batching on or off (off: a partial batch waits the delay). */
  public TopologySettings withEagerBatching(final boolean eager) {
    return new TopologySettings(
        sessionGapMs,
        expiryScanIntervalMs,
        recentItems,
        listLength,
        excludeSeen,
        batchMaxSize,
        batchMaxDelayMs,
        eager,
        safety,
        rules,
        trending,
        experiments);
  }

  /** The same settings with other safety settings. */
  public TopologySettings withSafety(final StreamSafety other) {
    return new TopologySettings(
        sessionGapMs,
        expiryScanIntervalMs,
        recentItems,
        listLength,
        excludeSeen,
        batchMaxSize,
        batchMaxDelayMs,
        batchEager,
        other,
        rules,
        trending,
        experiments);
  }

  /** The same settings with other rules. */
  public TopologySettings withRules(final RuleSettings other) {
    return new TopologySettings(
        sessionGapMs,
        expiryScanIntervalMs,
        recentItems,
        listLength,
        excludeSeen,
        batchMaxSize,
        batchMaxDelayMs,
        batchEager,
        safety,
        other,
        trending,
        experiments);
  }

  /** The same settings with other trending settings. */
  public TopologySettings withTrending(final TrendingSettings other) {
    return new TopologySettings(
        sessionGapMs,
        expiryScanIntervalMs,
        recentItems,
        listLength,
        excludeSeen,
        batchMaxSize,
        batchMaxDelayMs,
        batchEager,
        safety,
        rules,
        other,
        experiments);
  }

  /** The same settings with other experiment settings. */
  public TopologySettings withExperiments(final ExperimentSettings other) {
    return new TopologySettings(
        sessionGapMs,
        expiryScanIntervalMs,
        recentItems,
        listLength,
        excludeSeen,
        batchMaxSize,
        batchMaxDelayMs,
        batchEager,
        safety,
        rules,
        trending,
        other);
  }

  public static TopologySettings from(final InSessionConfig config) {
    return new TopologySettings(
        config.getLong(InSessionConfig.SESSION_GAP_MS),
        config.getLong(InSessionConfig.SESSION_EXPIRY_SCAN_INTERVAL_MS),
        config.getInt(InSessionConfig.SESSION_RECENT_ITEMS),
        config.getInt(InSessionConfig.RECOMMENDATIONS_COUNT),
        config.excludeSeen(),
        config.getInt(InSessionConfig.SCORING_BATCH_MAX_SIZE),
        config.getLong(InSessionConfig.SCORING_BATCH_MAX_DELAY_MS),
        config.getBoolean(InSessionConfig.SCORING_BATCH_EAGER),
        StreamSafety.from(config),
        RuleSettings.from(config),
        TrendingSettings.from(config),
        ExperimentSettings.from(config));
  }
}
