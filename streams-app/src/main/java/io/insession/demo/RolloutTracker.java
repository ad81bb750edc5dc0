package io.insession.demo;

import io.insession.schemas.RecommendationList;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Follows the lists through a roll-out, as a downstream consumer sees them: lists per model
 * version, the first list of the deployed version, the longest gap between two lists (by their
 * {@code emittedAt}), the sessions that had lists of an older version and then of the deployed one
 * (their state was re-encoded: they stayed warm), and any session that went back to an older
 * version after its first list of the deployed one. Thread-safe.
 */
public final class RolloutTracker {

  private final Map<String, Integer> listsByVersion = new LinkedHashMap<>();
  private final Map<String, String> versionBySession = new HashMap<>();
  private final Set<String> reencoded = new HashSet<>();
  private final List<Instant> emitted = new ArrayList<>();
  private int wentBack;
  private String deployedVersion;
  private Instant deployedAt;
  private Instant firstOfDeployed;

  /** The deployment of {@code version} was written to the deployments topic at {@code at}. */
  public synchronized void deployed(final String version, final Instant at) {
    this.deployedVersion = version;
    this.deployedAt = at;
  }

  /**
   * Records a list.
   *
   * @return a line to show when it is the first list of the deployed version
   */
  synchronized Optional<String> seen(final RecommendationList list) {
    final String version = list.getModelVersion();
    emitted.add(list.getEmittedAt());
    listsByVersion.merge(version, 1, Integer::sum);
    final String previous = versionBySession.put(list.getSessionId(), version);
    if (deployedVersion == null) {
      return Optional.empty();
    }
    if (previous != null && !previous.equals(deployedVersion) && version.equals(deployedVersion)) {
      reencoded.add(list.getSessionId());
    }
    if (deployedVersion.equals(previous) && !version.equals(deployedVersion)) {
      wentBack++;
    }
    if (firstOfDeployed != null || !version.equals(deployedVersion)) {
      return Optional.empty();
    }
    firstOfDeployed = list.getEmittedAt();
    return Optional.of(
        String.format(
            Locale.ROOT,
            "── Now serving %s %s: its first list %d ms after the deployment record ──",
            list.getVariant(),
            version,
            Duration.between(deployedAt, firstOfDeployed).toMillis()));
  }

  /** Whether a list of the deployed version has arrived. */
  public synchronized boolean switched() {
    return firstOfDeployed != null;
  }

  /** Lists of {@code version} seen so far. */
  public synchronized int lists(final String version) {
    return listsByVersion.getOrDefault(version, 0);
  }

  /** Sessions whose list went back to an older version after one of the deployed version. */
  public synchronized int wentBack() {
    return wentBack;
  }

  /** Sessions with lists of an older version, then of the deployed one (re-encoded, warm). */
  public synchronized int reencodedSessions() {
    return reencoded.size();
  }

  /** From the deployment record to the first list of the deployed version. */
  public synchronized Optional<Duration> deployToFirstList() {
    return firstOfDeployed == null
        ? Optional.empty()
        : Optional.of(Duration.between(deployedAt, firstOfDeployed));
  }

  /** The longest time between two consecutive lists (by emission time) over the whole run. */
  public synchronized Duration longestGap() {
    final List<Instant> sorted = new ArrayList<>(emitted);
    sorted.sort(null);
    Duration longest = Duration.ZERO;
    for (int i = 1; i < sorted.size(); i++) {
      final Duration gap = Duration.between(sorted.get(i - 1), sorted.get(i));
      if (gap.compareTo(longest) > 0) {
        longest = gap;
      }
    }
    return longest;
  }

  /** The roll-out's summary lines (lists per version, the figures, sessions kept warm). */
  public synchronized String summary() {
    final StringBuilder perVersion = new StringBuilder();
    listsByVersion.forEach(
        (version, count) ->
            perVersion
                .append(perVersion.length() == 0 ? "" : ", ")
                .append(count)
                .append(" of ")
                .append(version));
    return String.format(
        Locale.ROOT,
        "Roll-out to %s: lists %s; %d sessions re-encoded (lists of an older version, then of %s),"
            + " %d went back to an older version.%n"
            + "Roll-out figures: deploy to first list %s ms; longest gap between lists %d ms;"
            + " re-encoded sessions %d",
        deployedVersion,
        perVersion,
        reencoded.size(),
        deployedVersion,
        wentBack,
        deployToFirstList().map(d -> String.valueOf(d.toMillis())).orElse("none"),
        longestGap().toMillis(),
        reencoded.size());
  }
}
