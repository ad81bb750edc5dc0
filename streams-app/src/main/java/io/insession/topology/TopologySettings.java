package io.insession.topology;

import io.insession.config.InSessionConfig;
import io.insession.rules.RuleSettings;

/**
 * What the topology needs from the configuration.
 *
 * @param sessionGapMs inactivity after which a session ends
 * @param expiryScanIntervalMs how often (wall-clock time) expired sessions are removed
 * @param recentItems how many recent items a session remembers
 * @param listLength length of each emitted list
 * @param excludeSeen whether the seen-items rule is on
 * @param batchMaxSize most events scored in one scorer call (1 = score each event at once)
 * @param batchMaxDelayMs longest wall-clock wait before a partial batch is scored
 * @param safety limits against hostile input, dedup memory, state and dead-letter bounds
 * @param rules the rule chain of each variant and the rules' parameters (docs/catalog.md)
 */
public record TopologySettings(
    long sessionGapMs,
    long expiryScanIntervalMs,
    int recentItems,
    int listLength,
    boolean excludeSeen,
    int batchMaxSize,
    long batchMaxDelayMs,
    StreamSafety safety,
    RuleSettings rules) {

  /** The settings with InSession's default {@link StreamSafety}. */
  public TopologySettings(
      final long sessionGapMs,
      final long expiryScanIntervalMs,
      final int recentItems,
      final int listLength,
      final boolean excludeSeen,
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
        StreamSafety.defaults(),
        RuleSettings.defaults());
  }

  public TopologySettings {
    if (sessionGapMs < 1
        || expiryScanIntervalMs < 1
        || recentItems < 1
        || listLength < 1
        || batchMaxSize < 1
        || batchMaxDelayMs < 1
        || safety == null
        || rules == null) {
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
        safety,
        rules);
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
        other,
        rules);
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
        safety,
        other);
  }

  public static TopologySettings from(final InSessionConfig config) {
    return new TopologySettings(
        config.getLong(InSessionConfig.SESSION_GAP_MS),
        config.getLong(InSessionConfig.SESSION_EXPIRY_SCAN_INTERVAL_MS),
        config.getInt(InSessionConfig.SESSION_RECENT_ITEMS),
        config.getInt(InSessionConfig.RECOMMENDATIONS_COUNT),
        config.getBoolean(InSessionConfig.RULE_EXCLUDE_SEEN),
        config.getInt(InSessionConfig.SCORING_BATCH_MAX_SIZE),
        config.getLong(InSessionConfig.SCORING_BATCH_MAX_DELAY_MS),
        StreamSafety.from(config),
        RuleSettings.from(config));
  }
}
