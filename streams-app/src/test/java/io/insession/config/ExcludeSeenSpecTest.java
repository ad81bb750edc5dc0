package io.insession.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExcludeSeenSpecTest {

  @Test
  void shouldParseEveryOptionAndTheEarlierBooleans() {
    assertThat(ExcludeSeenSpec.parse("all")).isEqualTo(ExcludeSeenSpec.ALL);
    assertThat(ExcludeSeenSpec.parse(" OFF ")).isEqualTo(ExcludeSeenSpec.OFF);
    assertThat(ExcludeSeenSpec.parse("bought")).isEqualTo(ExcludeSeenSpec.BOUGHT);
    assertThat(ExcludeSeenSpec.parse("last:3")).isEqualTo(ExcludeSeenSpec.lastEvents(3));
    assertThat(ExcludeSeenSpec.parse("Last: 12").lastEvents()).isEqualTo(12);
    assertThat(ExcludeSeenSpec.parse("true")).isEqualTo(ExcludeSeenSpec.ALL);
    assertThat(ExcludeSeenSpec.parse("false")).isEqualTo(ExcludeSeenSpec.OFF);
  }

  @Test
  void shouldSpellEachOptionAsTheSettingDoes() {
    for (final String setting : new String[] {"all", "off", "bought", "last:7"}) {
      assertThat(ExcludeSeenSpec.parse(setting).setting()).isEqualTo(setting);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "sometimes", "last:", "last:0", "last:-2", "last:x", "last"})
  void shouldRejectAnythingElseNamingTheAcceptedValues(final String setting) {
    assertThatThrownBy(() -> ExcludeSeenSpec.parse(setting))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + setting + "'");
  }

  @Test
  void shouldDefaultToBoughtAndRejectABadSettingInTheConfig() {
    assertThat(InSessionConfig.of(Map.of()).excludeSeen()).isEqualTo(ExcludeSeenSpec.BOUGHT);
    assertThat(
            InSessionConfig.of(Map.of(InSessionConfig.RULE_EXCLUDE_SEEN, "last:5")).excludeSeen())
        .isEqualTo(ExcludeSeenSpec.lastEvents(5));
    assertThatThrownBy(
            () -> InSessionConfig.of(Map.of(InSessionConfig.RULE_EXCLUDE_SEEN, "last:0")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(InSessionConfig.RULE_EXCLUDE_SEEN)
        .hasMessageContaining("last:N");
  }
}
