package io.insession.demo;

import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * How a SIMULATED shopper acts on a list it is shown: a cascade with position bias. The shopper
 * looks down the list; it examines rank {@code r} with probability {@code 1 / log2(r + 1)} and
 * clicks an examined item with its attraction: {@code wantedNext} for the item the recorded session
 * views next, {@code wantedLater} for an item it views later, {@code other} for any other item. It
 * clicks the first item it both examines and is attracted by, or none. After a click it adds the
 * item to the cart with {@code cartIfWanted} (a wanted item) or {@code cartOtherwise}, then buys it
 * with {@code buyAfterCart}, two units with {@code twoUnits}. So the list that holds the items the
 * visitor wants, and higher up, gets more clicks, carts and purchases.
 *
 * <p>Seeded and deterministic: each decision draws from its own generator, seeded by {@code seed},
 * the session id and the step, so the same lists give the same decisions in any order and on any
 * JVM (String.hashCode is specified).
 */
public record ShopperModel(
    long seed,
    double wantedNext,
    double wantedLater,
    double other,
    double cartIfWanted,
    double cartOtherwise,
    double buyAfterCart,
    double twoUnits) {

  private static final long MIX = 0x9E3779B97F4A7C15L;

  public ShopperModel {
    probability("wantedNext", wantedNext);
    probability("wantedLater", wantedLater);
    probability("other", other);
    probability("cartIfWanted", cartIfWanted);
    probability("cartOtherwise", cartOtherwise);
    probability("buyAfterCart", buyAfterCart);
    probability("twoUnits", twoUnits);
  }

  /** The demo's shoppers: they mostly click what they want, and buy mostly what they wanted. */
  public static ShopperModel withSeed(final long seed) {
    return new ShopperModel(seed, 0.5, 0.25, 0.01, 0.5, 0.15, 0.6, 0.25);
  }

  /**
   * The decision of a session's visitor on a list.
   *
   * @param sessionId the session
   * @param step the decision's number within the session (0, 1, ...)
   * @param shown the list's item ids, best first
   * @param ahead the items the recorded session views after this point, next first
   * @return the item clicked and what followed, or empty when the visitor clicked nothing
   */
  public Optional<Choice> decide(
      final String sessionId, final int step, final List<String> shown, final List<String> ahead) {
    final SplittableRandom random =
        new SplittableRandom(mix(mix(seed, sessionId.hashCode()), step));
    for (int i = 0; i < shown.size(); i++) {
      final String item = shown.get(i);
      final int rank = i + 1;
      final double attraction = attraction(item, ahead);
      if (random.nextDouble() < examination(rank) * attraction) {
        final boolean wanted = ahead.contains(item);
        final boolean cart = random.nextDouble() < (wanted ? cartIfWanted : cartOtherwise);
        final boolean buy = cart && random.nextDouble() < buyAfterCart;
        final int units = random.nextDouble() < twoUnits ? 2 : 1;
        return Optional.of(new Choice(item, rank, wanted, cart, buy, units));
      }
    }
    return Optional.empty();
  }

  /** The chance that a shopper looks at rank {@code rank} (1 = the top): 1 / log2(rank + 1). */
  public static double examination(final int rank) {
    if (rank < 1) {
      throw new IllegalArgumentException("rank starts at 1, got " + rank);
    }
    return Math.log(2) / Math.log(rank + 1.0);
  }

  private double attraction(final String item, final List<String> ahead) {
    if (!ahead.isEmpty() && ahead.get(0).equals(item)) {
      return wantedNext;
    }
    return ahead.contains(item) ? wantedLater : other;
  }

  private static long mix(final long a, final long b) {
    return (a ^ b) * MIX + b;
  }

  private static void probability(final String name, final double p) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException(name + " must be a probability in [0, 1], got " + p);
    }
  }

  /**
   * What a shopper did with a list.
   *
   * @param itemId the item clicked
   * @param rank its rank in the list (1 = the top)
   * @param wanted whether the recorded session views it next or later
   * @param addToCart whether the shopper added it to the cart
   * @param buy whether the shopper then bought it
   * @param units units put into the cart and bought (1 or 2)
   */
  public record Choice(
      String itemId, int rank, boolean wanted, boolean addToCart, boolean buy, int units) {}
}
