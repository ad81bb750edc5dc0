package io.insession.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code insession models canary}'s bad usage, refused with exit 2 and a message before any broker
 * is asked (the real runs are in {@code ModelsCanaryCommandIT}).
 */
class ModelsCanaryCommandTest {

  private static CliRun canary(final String... extra) {
    final List<String> args =
        new ArrayList<>(
            List.of(
                "models",
                "canary",
                "--current=gru",
                // nothing listens there: a usage error must come before any connection
                "--bootstrap-servers=localhost:1"));
    args.addAll(List.of(extra));
    return CliRun.execute(args);
  }

  @Test
  void shouldRefuseBadStepsADurationAMetricAndAPopularCandidate() {
    final CliRun steps = canary("--candidate=gru4rec:V2", "--steps=50,25");
    assertThat(steps.code()).isEqualTo(2);
    assertThat(steps.err()).contains("steps must increase");

    final CliRun time = canary("--candidate=gru4rec:V2", "--max-step-time=soon");
    assertThat(time.code()).isEqualTo(2);
    assertThat(time.err()).contains("duration 'soon' is neither like 30m");

    final CliRun metric = canary("--candidate=gru4rec:V2", "--metric=clicks");
    assertThat(metric.code()).isEqualTo(2);
    assertThat(metric.err()).contains("insession.canary.metric");

    final CliRun popular = canary("--candidate=popular");
    assertThat(popular.code()).isEqualTo(2);
    assertThat(popular.err()).contains("the candidate must be a model, not 'popular'");

    final CliRun missing = CliRun.execute(List.of("models", "canary", "--current=gru"));
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("--candidate");
  }

  @Test
  void shouldReadDurationsShortOrIso() {
    assertThat(ModelsCanaryCommand.parseDuration("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(ModelsCanaryCommand.parseDuration("30m")).isEqualTo(Duration.ofMinutes(30));
    assertThat(ModelsCanaryCommand.parseDuration("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(ModelsCanaryCommand.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(ModelsCanaryCommand.parseDuration("PT1H30M")).isEqualTo(Duration.ofMinutes(90));
    assertThrows(IllegalArgumentException.class, () -> ModelsCanaryCommand.parseDuration("-5m"));
  }
}
