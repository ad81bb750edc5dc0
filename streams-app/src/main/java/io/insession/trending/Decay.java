package io.insession.trending;

/**
 * Exponentially decayed counts: an event at time {@code t} counts {@code 2^(-(T - t) / halfLife)}
 * at a later time {@code T}. A count is kept as a score at a reference time; moving it to another
 * time multiplies it by the same factor for every item, so scores decayed to one time compare as
 * the counts do. Adding an event is O(1).
 */
public final class Decay {

  private Decay() {}

  /**
   * {@code score} at {@code fromMs}, decayed (or grown, when {@code toMs} is earlier) to {@code
   * toMs}.
   */
  public static double at(
      final double score, final long fromMs, final long toMs, final long halfLifeMs) {
    if (fromMs == toMs) {
      return score;
    }
    return score * Math.pow(2.0, -(double) (toMs - fromMs) / halfLifeMs);
  }

  /**
   * A count kept at {@code atMs} after one more event at {@code eventMs}.
   *
   * @return the new score, kept at {@code max(atMs, eventMs)}
   */
  public static double add(
      final double score, final long atMs, final long eventMs, final long halfLifeMs) {
    return eventMs >= atMs
        ? at(score, atMs, eventMs, halfLifeMs) + 1.0
        : score + at(1.0, eventMs, atMs, halfLifeMs);
  }
}
