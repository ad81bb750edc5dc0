package io.insession.deployment;

import io.insession.schemas.DeployedVariant;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * The deployments of a canary: the variants that served before it ({@code base}, with their salt,
 * so the experiment continues), of which the candidate takes {@code step} % of the {@code current}
 * variant's weight at each step; the other variants keep their share. At 100 % the current variant
 * keeps weight 0: its live sessions keep it (a session keeps its variant), new ones go to the
 * candidate.
 *
 * @param base the variants serving before the canary, in assignment order
 * @param current the name of the variant the candidate replaces (in {@code base}, weight above 0)
 * @param candidate the candidate variant: its name (not in {@code base}) and source; its weight is
 *     ignored
 * @param steps the candidate's share of the current variant's weight, in %, increasing, 1 to 100
 */
public record CanaryPlan(
    List<DeployedVariant> base, String current, DeployedVariant candidate, List<Integer> steps) {

  /**
   * Checks the plan.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public CanaryPlan {
    final List<DeployedVariant> variants = List.copyOf(base);
    base = variants;
    steps = List.copyOf(steps);
    Deployments.specs(variants);
    final DeployedVariant replaced =
        variants.stream()
            .filter(v -> v.getName().equals(current))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "no variant '"
                            + current
                            + "' is served now; the variants are "
                            + names(variants)));
    if (replaced.getWeight() <= 0) {
      throw new IllegalArgumentException(
          "variant '" + current + "' has weight 0: it serves no new sessions to replace");
    }
    if (base.stream().anyMatch(v -> v.getName().equals(candidate.getName()))) {
      throw new IllegalArgumentException(
          "the candidate's name '"
              + candidate.getName()
              + "' is already a variant served now ("
              + names(base)
              + "); choose another name");
    }
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("a canary needs at least one step");
    }
    for (int i = 0; i < steps.size(); i++) {
      final int step = steps.get(i);
      if (step < 1 || step > 100 || (i > 0 && step <= steps.get(i - 1))) {
        throw new IllegalArgumentException(
            "steps must be increasing percentages from 1 to 100, got " + steps);
      }
    }
  }

  /**
   * The variants at {@code percent}: the candidate after the current variant, with {@code percent}
   * % of its weight; the weights scaled to whole numbers and divided by their greatest common
   * divisor (base {@code gru:90, control:10} at 5 % gives {@code gru:171, canary:9, control:20}).
   */
  public List<DeployedVariant> variants(final int percent) {
    final List<DeployedVariant> order = new ArrayList<>();
    final List<Long> weights = new ArrayList<>();
    for (final DeployedVariant variant : base) {
      if (variant.getName().equals(current)) {
        order.add(variant);
        weights.add((long) variant.getWeight() * (100 - percent));
        order.add(candidate);
        weights.add((long) variant.getWeight() * percent);
      } else {
        order.add(variant);
        weights.add((long) variant.getWeight() * 100);
      }
    }
    BigInteger gcd = BigInteger.ZERO;
    for (final long weight : weights) {
      gcd = gcd.gcd(BigInteger.valueOf(weight));
    }
    final List<DeployedVariant> reduced = new ArrayList<>(order.size());
    for (int i = 0; i < order.size(); i++) {
      final long weight = weights.get(i) / gcd.longValueExact();
      if (weight > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "the weights at " + percent + " % do not fit: give the variants smaller weights");
      }
      reduced.add(DeployedVariant.newBuilder(order.get(i)).setWeight((int) weight).build());
    }
    Deployments.specs(reduced);
    return reduced;
  }

  private static List<String> names(final List<DeployedVariant> variants) {
    return variants.stream().map(DeployedVariant::getName).toList();
  }
}
