package io.insession.data;

/** Why an exported record or click did not make it into a session file; counted per reason. */
public enum SkipReason {
  /** The record's value does not decode as a weblog event. */
  UNDECODABLE("undecodable records"),
  /** The event breaks a field rule, so the stream dead-lettered it ({@code WeblogEventChecks}). */
  INVALID("invalid events (the stream dead-letters them)"),
  /** The same event id again in a session: a retry, which the stream counts once. */
  DUPLICATE("retried events (event id seen before in the session)"),
  /** Events of a session forgotten later ({@code insession sessions forget}, docs/privacy.md). */
  FORGOTTEN("events of forgotten sessions"),
  /**
   * A session or item id that a tab-separated line cannot carry unchanged: a tab, a line break, or
   * spaces at either end (the readers strip them).
   */
  UNWRITABLE_ID("clicks with ids a TSV line cannot carry (control character, outer spaces)");

  private final String description;

  SkipReason(final String description) {
    this.description = description;
  }

  /** What the count of this reason counts, e.g. {@code "undecodable records"}. */
  public String description() {
    return description;
  }
}
