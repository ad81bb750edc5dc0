package io.insession.topology;

import io.insession.config.InSessionConfig;

/**
 * What the topology needs from the configuration.
 *
 * @param sessionGapMs inactivity (event time) after which a session ends
 * @param expiryScanIntervalMs how often (stream time) expired sessions are removed
 * @param recentItems how many recent items a session remembers
 * @param listLength length of each emitted list
 * @param excludeSeen whether the seen-items rule is on
 */
public record TopologySettings(
    long sessionGapMs,
    long expiryScanIntervalMs,
    int recentItems,
    int listLength,
    boolean excludeSeen) {

  public TopologySettings {
    if (sessionGapMs < 1 || expiryScanIntervalMs < 1 || recentItems < 1 || listLength < 1) {
      throw new IllegalArgumentException("topology settings must be positive: " + this);
    }
  }

  public static TopologySettings from(final InSessionConfig config) {
    return new TopologySettings(
        config.getLong(InSessionConfig.SESSION_GAP_MS),
        config.getLong(InSessionConfig.SESSION_EXPIRY_SCAN_INTERVAL_MS),
        config.getInt(InSessionConfig.SESSION_RECENT_ITEMS),
        config.getInt(InSessionConfig.RECOMMENDATIONS_COUNT),
        config.getBoolean(InSessionConfig.RULE_EXCLUDE_SEEN));
  }
}
