package io.insession.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.insession.schemas.DeployedVariant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The canary's variant sets: the candidate takes its step's share of the replaced variant. */
class CanaryPlanTest {

  private static final List<DeployedVariant> BASE =
      List.of(
          new DeployedVariant("gru", "gru4rec:V1", 90),
          new DeployedVariant("control", "popular", 10));
  private static final DeployedVariant CANDIDATE = new DeployedVariant("canary", "gru4rec:V2", 1);

  private static String weights(final List<DeployedVariant> variants) {
    return String.join(" ", variants.stream().map(v -> v.getName() + ":" + v.getWeight()).toList());
  }

  @Test
  void shouldGiveTheCandidateItsStepsShareOfTheReplacedVariantOnly() {
    final CanaryPlan plan = new CanaryPlan(BASE, "gru", CANDIDATE, List.of(5, 25, 50, 100));

    // 90 x 95 : 90 x 5 : 10 x 100 = 8550 : 450 : 1000, divided by 50
    assertThat(weights(plan.variants(5))).isEqualTo("gru:171 canary:9 control:20");
    assertThat(weights(plan.variants(25))).isEqualTo("gru:27 canary:9 control:4");
    assertThat(weights(plan.variants(50))).isEqualTo("gru:9 canary:9 control:2");
    assertThat(weights(plan.variants(100))).isEqualTo("gru:0 canary:9 control:1");
    assertThat(plan.variants(5).get(1).getSource()).isEqualTo("gru4rec:V2");
  }

  @Test
  void shouldRefuseAnUnknownOrIdleVariantATakenNameAndBadSteps() {
    assertThat(
            assertThrows(
                    IllegalArgumentException.class,
                    () -> new CanaryPlan(BASE, "gru2", CANDIDATE, List.of(5, 100)))
                .getMessage())
        .contains("no variant 'gru2' is served now; the variants are [gru, control]");
    assertThat(
            assertThrows(
                    IllegalArgumentException.class,
                    () ->
                        new CanaryPlan(
                            BASE,
                            "gru",
                            new DeployedVariant("control", "gru4rec:V2", 1),
                            List.of(5, 100)))
                .getMessage())
        .contains("'control' is already a variant served now");
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new CanaryPlan(
                List.of(new DeployedVariant("gru", "gru4rec:V1", 0), BASE.get(1)),
                "gru",
                CANDIDATE,
                List.of(100)));
    assertThrows(
        IllegalArgumentException.class,
        () -> new CanaryPlan(BASE, "gru", CANDIDATE, List.of(50, 25)));
    assertThrows(
        IllegalArgumentException.class, () -> new CanaryPlan(BASE, "gru", CANDIDATE, List.of()));
  }
}
