package io.insession.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.insession.data.Click;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The hold-out of {@code models retrain}: the latest sessions, at least one, both parts useful. */
class ModelsRetrainSplitTest {

  private static Map<String, List<Click>> sessions(final int... lengths) {
    final Map<String, List<Click>> sessions = new LinkedHashMap<>();
    for (int s = 0; s < lengths.length; s++) {
      final List<Click> clicks = new ArrayList<>();
      for (int c = 0; c < lengths[s]; c++) {
        clicks.add(new Click("s" + s, "i" + c, Instant.EPOCH.plusSeconds(s)));
      }
      sessions.put("s" + s, clicks);
    }
    return sessions;
  }

  @Test
  void shouldHoldOutTheLatestShareOfTheSessions() {
    final Map<String, List<Click>> train = new LinkedHashMap<>();
    final Map<String, List<Click>> test = new LinkedHashMap<>();

    assertThat(ModelsRetrainCommand.split(sessions(2, 2, 2, 2, 2, 2, 2, 2, 2, 2), 0.2, train, test))
        .isTrue();

    assertThat(train.keySet()).containsExactly("s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7");
    assertThat(test.keySet()).containsExactly("s8", "s9");
  }

  @Test
  void shouldHoldOutAtLeastOneSession() {
    final Map<String, List<Click>> train = new LinkedHashMap<>();
    final Map<String, List<Click>> test = new LinkedHashMap<>();

    assertThat(ModelsRetrainCommand.split(sessions(2, 2, 2), 0.01, train, test)).isTrue();

    assertThat(test.keySet()).containsExactly("s2");
  }

  @Test
  void shouldRefuseASplitWithNothingToLearnOrToPredict() {
    assertThat(
            ModelsRetrainCommand.split(
                sessions(2, 2, 1), 0.1, new LinkedHashMap<>(), new LinkedHashMap<>()))
        .as("the held-out session has one click: nothing to predict")
        .isFalse();
    assertThat(
            ModelsRetrainCommand.split(
                sessions(1, 1, 2), 0.1, new LinkedHashMap<>(), new LinkedHashMap<>()))
        .as("the training sessions have one click each: nothing to learn")
        .isFalse();
    assertThat(
            ModelsRetrainCommand.split(
                sessions(2), 0.1, new LinkedHashMap<>(), new LinkedHashMap<>()))
        .as("one session cannot be split")
        .isFalse();
  }
}
