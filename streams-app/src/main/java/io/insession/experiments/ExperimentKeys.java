package io.insession.experiments;

import java.time.Instant;
import java.util.Locale;

/**
 * The keys of the experiment stores and topic. Experiment ids (salts) may hold any character, so
 * they are length-prefixed; windows are written as 20 digits (or {@code all}), so a prefix scan
 * finds one experiment's window.
 */
final class ExperimentKeys {

  /** The window part of a key for the figures since the experiment started. */
  static final String ALL = "all";

  private ExperimentKeys() {}

  /** The key in {@code experiment-partials}: one per experiment, variant and window. */
  static String partial(final String experimentId, final String variant, final Instant window) {
    return window(experimentId, window) + variant;
  }

  /** The key in {@code experiment-merged}: one per experiment, window, variant and task. */
  static String merged(
      final String experimentId, final Instant window, final String variant, final String task) {
    return window(experimentId, window) + variant.length() + ":" + variant + "/" + task;
  }

  /** The common prefix of every {@link #merged} key of one experiment and window. */
  static String window(final String experimentId, final Instant window) {
    return experimentId.length()
        + ":"
        + experimentId
        + "/"
        + (window == null
            ? ALL
            : String.format(Locale.ROOT, "%020d", Math.max(0, window.toEpochMilli())))
        + "/";
  }

  /**
   * The key on the experiment KPIs topic: {@code <experiment>/all} or {@code <experiment>/<ms>}.
   */
  static String topic(final String experimentId, final Instant window) {
    return experimentId + "/" + (window == null ? ALL : Long.toString(window.toEpochMilli()));
  }
}
