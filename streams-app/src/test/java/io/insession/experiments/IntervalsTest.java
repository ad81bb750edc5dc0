package io.insession.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The interval maths against published values: Newcombe (1998), "Two-sided confidence intervals for
 * the single proportion: comparison of seven methods", Stat Med 17:857-872, Table I (Wilson score,
 * method 3), and Newcombe (1998), "Interval estimation for the difference between independent
 * proportions: comparison of eleven methods", Stat Med 17:873-890, Table II (method 10); the others
 * worked out by hand in the comments.
 */
class IntervalsTest {

  private static final double PUBLISHED = 0.00005; // the papers give 4 decimals

  @Test
  void shouldGiveTheStandardNormalQuantiles() {
    assertThat(Intervals.z(0.95)).isCloseTo(1.959963985, within(1e-8));
    assertThat(Intervals.z(0.99)).isCloseTo(2.575829304, within(1e-8));
    assertThat(Intervals.z(0.90)).isCloseTo(1.644853627, within(1e-8));
    assertThat(Intervals.normalQuantile(0.001)).isCloseTo(-3.090232306, within(1e-8));
  }

  @Test
  void shouldMatchNewcombesWilsonIntervals() {
    assertInterval(Intervals.wilson(81, 263, 0.95), 0.2553, 0.3662);
    assertInterval(Intervals.wilson(15, 148, 0.95), 0.0624, 0.1605);
    assertInterval(Intervals.wilson(0, 20, 0.95), 0.0000, 0.1611);
    assertInterval(Intervals.wilson(1, 29, 0.95), 0.0061, 0.1718);
  }

  @Test
  void shouldMatchNewcombesHybridScoreIntervalsOfADifference() {
    assertInterval(Intervals.difference(56, 70, 48, 80, 0.95), 0.0524, 0.3339);
    assertInterval(Intervals.difference(9, 10, 3, 10, 0.95), 0.1705, 0.8090);
    assertThat(Intervals.difference(56, 70, 48, 80, 0.95).estimate()).isCloseTo(0.2, within(1e-12));
  }

  @Test
  void shouldGiveTheNormalIntervalOfAMean() {
    // values 1, 2, 3, 4, 10: mean 4, variance (9 + 4 + 1 + 0 + 36) / 4 = 12.5,
    // half width 1.959964 * sqrt(12.5 / 5) = 3.098975
    final Intervals.Interval mean = Intervals.mean(5, 20, 130, 0.95);

    assertThat(mean.estimate()).isEqualTo(4.0);
    assertThat(mean.low()).isCloseTo(0.901025, within(1e-6));
    assertThat(mean.high()).isCloseTo(7.098975, within(1e-6));
  }

  @Test
  void shouldGiveTheDeltaMethodIntervalOfARatioOfSums() {
    // five sessions (orders x, revenue y): (1, 10) (2, 30) (1, 20) (0, 0) (3, 45): R = 105 / 7 =
    // 15;
    // Var(y) = 305, Var(x) = 1.3, Cov = 19.5, mean(x) = 1.4;
    // Var(R) = (305 - 2 * 15 * 19.5 + 225 * 1.3) / (5 * 1.96) = 12.5 / 9.8 = 1.275510;
    // half width 1.959964 * sqrt(1.275510) = 2.213554
    final Intervals.Interval aov =
        Intervals.ratio(
            5, 105, 7, 100 + 900 + 400 + 0 + 2025, 1 + 4 + 1 + 0 + 9, 10 + 60 + 20 + 135, 0.95);

    assertThat(aov.estimate()).isEqualTo(15.0);
    assertThat(aov.low()).isCloseTo(12.786446, within(1e-6));
    assertThat(aov.high()).isCloseTo(17.213554, within(1e-6));
  }

  @Test
  void shouldGiveAnAsymmetricLiftIntervalOnTheLogScale() {
    // 1.2 (se 0.05) over 1.0 (se 0.04): se of the log ratio sqrt((0.05/1.2)^2 + 0.04^2) = 0.057759;
    // exp(log 1.2 -+ 1.959964 * 0.057759) - 1 = 0.071560, 0.343835
    final Intervals.Interval lift = Intervals.lift(1.2, 0.05, 1.0, 0.04, 0.95);

    assertThat(lift.estimate()).isCloseTo(0.2, within(1e-12));
    assertThat(lift.low()).isCloseTo(0.071560, within(1e-6));
    assertThat(lift.high()).isCloseTo(0.343835, within(1e-6));
    assertThat(lift.above(0)).isTrue();
    assertThat(lift.below(0)).isFalse();
  }

  @Test
  void shouldRefuseWhatHasNoInterval() {
    assertThrows(IllegalArgumentException.class, () -> Intervals.wilson(3, 2, 0.95));
    assertThrows(IllegalArgumentException.class, () -> Intervals.wilson(0, 0, 0.95));
    assertThrows(IllegalArgumentException.class, () -> Intervals.mean(1, 1, 1, 0.95));
    assertThrows(IllegalArgumentException.class, () -> Intervals.ratio(5, 1, 0, 1, 0, 0, 0.95));
    assertThrows(IllegalArgumentException.class, () -> Intervals.lift(0, 1, 1, 1, 0.95));
    assertThrows(IllegalArgumentException.class, () -> Intervals.z(1.0));
  }

  private static void assertInterval(
      final Intervals.Interval interval, final double low, final double high) {
    assertThat(interval.low()).isCloseTo(low, within(PUBLISHED));
    assertThat(interval.high()).isCloseTo(high, within(PUBLISHED));
  }
}
