package io.insession.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.insession.registry.ModelRef;
import io.insession.schemas.DeployedVariant;
import io.insession.schemas.DeploymentStatus;
import io.insession.schemas.ModelDeployment;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parsing deployment variants, record keys, and which deployment is current or previous. */
class DeploymentsTest {

  private static final Instant AT = Instant.parse("2026-11-27T10:00:00Z");

  @Test
  void shouldParseARegistryReferenceThePopularControlAndABundleDirectory() {
    final DeployedVariant gru = Deployments.parseVariant("gru=gru4rec-demo:20261127T101500Z:90");
    assertThat(gru.getName()).isEqualTo("gru");
    assertThat(gru.getSource()).isEqualTo("gru4rec-demo:20261127T101500Z");
    assertThat(gru.getWeight()).isEqualTo(90);
    assertThat(Deployments.registryRef(gru.getSource()))
        .contains(new ModelRef("gru4rec-demo", "20261127T101500Z"));

    final DeployedVariant control = Deployments.parseVariant(" control = popular : 10 ");
    assertThat(control.getSource()).isEqualTo("popular");
    assertThat(Deployments.registryRef("popular")).isEmpty();

    final DeployedVariant dir = Deployments.parseVariant("test=/tmp/bundles/tiny:1");
    assertThat(dir.getSource()).isEqualTo("/tmp/bundles/tiny");
    assertThat(Deployments.registryRef(dir.getSource())).isEmpty();
  }

  @Test
  void shouldRefuseAMalformedVariantSayingWhatIsWrong() {
    assertThat(
            assertThrows(IllegalArgumentException.class, () -> Deployments.parseVariant("gru:90")))
        .hasMessageContaining("must be NAME=SOURCE:WEIGHT");
    assertThat(
            assertThrows(
                IllegalArgumentException.class, () -> Deployments.parseVariant("gru=demo:v1:x")))
        .hasMessageContaining("weight 'x' is not a whole number");
    assertThat(
            assertThrows(
                IllegalArgumentException.class, () -> Deployments.parseVariant("gru=nothing:5")))
        .hasMessageContaining("neither a registry reference");
    assertThat(
            assertThrows(
                IllegalArgumentException.class,
                () ->
                    Deployments.deploy(
                        List.of(variant("a", 0), variant("b", 0)), "s", "me", AT, null)))
        .hasMessageContaining("weights add up to 0");
  }

  @Test
  void shouldKeyARefusalApartFromItsDeployment() {
    final ModelDeployment deployment =
        Deployments.deploy(List.of(variant("gru", 1)), "s", "me", AT, null);
    final ModelDeployment refusal =
        Deployments.refusal(deployment, "app@host", AT.plusSeconds(1), "damaged");

    assertThat(Deployments.key(deployment)).isEqualTo(deployment.getDeploymentId());
    assertThat(Deployments.key(refusal))
        .isEqualTo(deployment.getDeploymentId() + "/refused/app@host");
    assertThat(refusal.getStatus()).isEqualTo(DeploymentStatus.REFUSED);
    assertThat(refusal.getDetail()).isEqualTo("damaged");
    assertThat(refusal.getVariants()).isEqualTo(deployment.getVariants());
  }

  @Test
  void shouldServeTheLatestUnrefusedDeploymentAndRollBackToTheOneBefore() {
    final ModelDeployment first = Deployments.deploy(List.of(variant("a", 1)), "s", "me", AT, null);
    final ModelDeployment second =
        Deployments.deploy(List.of(variant("b", 1)), "s", "me", AT.plusSeconds(1), null);
    final ModelDeployment bad =
        Deployments.deploy(List.of(variant("c", 1)), "s", "me", AT.plusSeconds(2), null);
    final List<ModelDeployment> records =
        List.of(first, second, bad, Deployments.refusal(bad, "i1", AT.plusSeconds(3), "no"));

    assertThat(Deployments.current(records)).contains(second);
    assertThat(Deployments.previous(records)).contains(first);
    assertThat(Deployments.current(List.of())).isEmpty();
    assertThat(Deployments.previous(List.of(first))).isEmpty();
  }

  private static DeployedVariant variant(final String name, final int weight) {
    return new DeployedVariant(name, "model:" + name, weight);
  }
}
