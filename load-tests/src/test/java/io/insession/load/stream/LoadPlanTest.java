package io.insession.load.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoadPlanTest {

  @Test
  void shouldRampFromStartToMaxInSteps() {
    final LoadPlan plan = LoadPlan.ramp(500, 500, 2000, Duration.ofSeconds(5));
    assertThat(plan.ramp()).isTrue();
    assertThat(plan.rates()).containsExactly(500.0, 1000.0, 1500.0, 2000.0);
    assertThat(plan.firstRate()).isEqualTo(500.0);
  }

  @Test
  void shouldHaveOnePhaseWhenFixed() {
    final LoadPlan plan = LoadPlan.fixed(100, Duration.ofSeconds(1));
    assertThat(plan.rates()).containsExactly(100.0);
    assertThat(plan.firstRate()).isEqualTo(100.0);
  }

  @Test
  void shouldRejectBadRamps() {
    assertThrows(
        IllegalArgumentException.class, () -> LoadPlan.ramp(500, 0, 1000, Duration.ofSeconds(1)));
    assertThrows(
        IllegalArgumentException.class, () -> LoadPlan.ramp(500, 100, 100, Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, () -> LoadPlan.fixed(0, Duration.ofSeconds(1)));
  }
}
