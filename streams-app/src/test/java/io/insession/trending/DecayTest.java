package io.insession.trending;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The decay arithmetic, worked out by hand with a half-life of 1,000 ms. */
class DecayTest {

  private static final long HALF_LIFE = 1_000L;

  @Test
  void shouldHalveACountEveryHalfLifeAndDoubleItBackwards() {
    assertThat(Decay.at(8.0, 0, 3_000, HALF_LIFE)).isEqualTo(1.0);
    assertThat(Decay.at(1.0, 3_000, 0, HALF_LIFE)).isEqualTo(8.0);
    assertThat(Decay.at(5.0, 42, 42, HALF_LIFE)).isEqualTo(5.0);
  }

  @Test
  void shouldAddAnEventInOrderAtItsTimeAndALateOneAtTheCountsTime() {
    // 1 at t=0, one event at t=1000: 1/2 + 1
    assertThat(Decay.add(1.0, 0, 1_000, HALF_LIFE)).isEqualTo(1.5);
    // a count of 1.5 kept at t=1000, one event at t=0 (late): 1.5 + 1/2
    assertThat(Decay.add(1.5, 1_000, 0, HALF_LIFE)).isEqualTo(2.0);
  }

  @Test
  void shouldNotDependOnTheOrderOfArrival() {
    // events at 0, 2000, 1000 in that order, and in time order: both 1/4 + 1/2 + 1 at t=2000
    final double late = Decay.add(Decay.add(1.0, 0, 2_000, HALF_LIFE), 2_000, 1_000, HALF_LIFE);
    final double ordered = Decay.add(Decay.add(1.0, 0, 1_000, HALF_LIFE), 1_000, 2_000, HALF_LIFE);

    assertThat(late).isEqualTo(1.75).isEqualTo(ordered);
  }
}
