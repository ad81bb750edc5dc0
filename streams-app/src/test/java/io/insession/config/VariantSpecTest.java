package io.insession.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** {@code insession.variants}: the default, the format, and refusals with a clear message. */
class VariantSpecTest {

  @Test
  void shouldServeTheBundleAsTheOneDefaultVariantByDefault() {
    assertThat(InSessionConfig.of(Map.of()).variants())
        .containsExactly(new VariantSpec("default", "bundle", 1));
  }

  @Test
  void shouldReadNamesSourcesAndWeights() {
    final List<VariantSpec> specs =
        InSessionConfig.of(
                Map.of(InSessionConfig.VARIANTS, "control:popular:10, gru:bundle:90,v2:/m/b:2:5"))
            .variants();
    assertThat(specs)
        .containsExactly(
            new VariantSpec("control", "popular", 10),
            new VariantSpec("gru", "bundle", 90),
            new VariantSpec("v2", "/m/b:2", 5));
    assertThat(specs.get(0).isPopular()).isTrue();
    assertThat(specs.get(1).isConfiguredBundle()).isTrue();
    assertThat(specs.get(2).isConfiguredBundle() || specs.get(2).isPopular()).isFalse();
  }

  @Test
  void shouldRefuseANegativeWeight() {
    assertThatThrownBy(() -> config("a:bundle:-1"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(InSessionConfig.VARIANTS)
        .hasMessageContaining("the weight of variant 'a' must be >= 0, got -1");
  }

  @Test
  void shouldRefuseWeightsThatAddUpToZero() {
    assertThatThrownBy(() -> config("a:bundle:0,b:popular:0"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("the weights add up to 0");
  }

  @Test
  void shouldRefuseABadFormatARepeatedNameAndAWeightThatIsNoNumber() {
    assertThatThrownBy(() -> config("gru"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("must be NAME:SOURCE:WEIGHT");
    assertThatThrownBy(() -> config("a:bundle:1,a:popular:1"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("variant 'a' is named twice");
    assertThatThrownBy(() -> config("a:bundle:ten"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("weight 'ten' is not a whole number");
    assertThatThrownBy(() -> config("a b:bundle:1"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("must be letters, digits");
  }

  private static InSessionConfig config(final String variants) {
    return InSessionConfig.of(Map.of(InSessionConfig.VARIANTS, variants));
  }
}
