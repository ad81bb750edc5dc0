package io.insession.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.insession.config.ExcludeSeenSpec;
import io.insession.scoring.Candidate;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExcludeSeenItemsTest {

  /** Candidates a, b, c, d, e, best first. */
  private static final List<Candidate> CANDIDATES =
      List.of(
          new Candidate("a", 0.9f),
          new Candidate("b", 0.8f),
          new Candidate("c", 0.7f),
          new Candidate("d", 0.6f),
          new Candidate("e", 0.5f));

  /** Recent items a, b, c, a, d (d is the current event's); bought: b. */
  private static final SessionView SESSION =
      new SessionView("s", List.of("a", "b", "c", "a", "d"), List.of("b"));

  private static List<String> kept(final ExcludeSeenSpec spec) {
    return new ExcludeSeenItems(spec)
        .apply(CANDIDATES, SESSION).stream().map(Candidate::itemId).toList();
  }

  @Test
  void shouldDropEveryRememberedItemWithAll() {
    assertThat(kept(ExcludeSeenSpec.ALL)).containsExactly("e");
    assertThat(new ExcludeSeenItems().apply(CANDIDATES, SESSION))
        .extracting(Candidate::itemId)
        .containsExactly("e");
  }

  @Test
  void shouldDropNothingWhenOff() {
    assertThat(kept(ExcludeSeenSpec.OFF)).containsExactly("a", "b", "c", "d", "e");
  }

  @Test
  void shouldDropOnlyBoughtItemsWithBought() {
    assertThat(kept(ExcludeSeenSpec.BOUGHT)).containsExactly("a", "c", "d", "e");
  }

  @Test
  void shouldDropOnlyTheItemsOfTheLastNEventsWithLastN() {
    assertThat(kept(ExcludeSeenSpec.lastEvents(1))).containsExactly("a", "b", "c", "e");
    // the last two events are a and d: c and b, seen earlier, may come back
    assertThat(kept(ExcludeSeenSpec.lastEvents(2))).containsExactly("b", "c", "e");
    assertThat(kept(ExcludeSeenSpec.lastEvents(3))).containsExactly("b", "e");
    // more events than the session remembers: every remembered item
    assertThat(kept(ExcludeSeenSpec.lastEvents(50))).containsExactly("e");
  }

  @Test
  void shouldNameEachOptionForLogsAndMetrics() {
    assertThat(new ExcludeSeenItems(ExcludeSeenSpec.ALL).name()).isEqualTo("exclude-seen");
    assertThat(new ExcludeSeenItems(ExcludeSeenSpec.lastEvents(3)).name())
        .isEqualTo("exclude-seen-last-3");
    assertThat(new ExcludeSeenItems(ExcludeSeenSpec.BOUGHT).name()).isEqualTo("exclude-bought");
  }

  @Test
  void shouldLeaveTheRuleOutOfTheChainWhenOff() {
    assertThat(RuleChain.of(ExcludeSeenSpec.OFF, 3).ruleNames()).isEmpty();
    assertThat(RuleChain.of(ExcludeSeenSpec.lastEvents(2), 3).ruleNames())
        .containsExactly("exclude-seen-last-2");
    assertThat(RuleChain.of(ExcludeSeenSpec.lastEvents(2), 2).apply(CANDIDATES, SESSION))
        .extracting(Candidate::itemId)
        .containsExactly("b", "c");
  }
}
