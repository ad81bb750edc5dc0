package io.insession.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.insession.scoring.Candidate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link RuleChain#rank}: backfill below the model's candidates, and what each rule removed. */
class RuleChainBackfillTest {

  /** Drops the items it names. */
  private record Drop(String name, List<String> items) implements RecommendationRule {
    @Override
    public List<Candidate> apply(final List<Candidate> candidates, final SessionView session) {
      return candidates.stream().filter(c -> !items.contains(c.itemId())).toList();
    }
  }

  private static final SessionView SESSION = new SessionView("s", List.of());

  private static List<Candidate> candidates(final String... ids) {
    final List<Candidate> list = new ArrayList<>();
    for (int i = 0; i < ids.length; i++) {
      list.add(new Candidate(ids[i], 10f - i));
    }
    return list;
  }

  @Test
  void shouldFillUpFromTheBackfillBelowTheLowestCandidateAndCountTheFinalRun() {
    final RuleChain chain =
        new RuleChain(List.of(new Drop("a", List.of("m1", "p2")), new Drop("b", List.of("m3"))), 4);
    final Map<String, Integer> removed = new HashMap<>();
    final List<Integer> asked = new ArrayList<>();

    final List<Candidate> list =
        chain.rank(
            candidates("m1", "m2", "m3"),
            count -> {
              asked.add(count);
              return candidates("m2", "p2", "p3", "p4", "p5");
            },
            SESSION,
            removed::put);

    assertThat(list).extracting(Candidate::itemId).containsExactly("m2", "p3", "p4", "p5");
    assertThat(list.get(1).score()).isLessThan(8f);
    assertThat(list.get(2).score()).isLessThan(list.get(1).score());
    assertThat(asked).containsExactly(3 + 2 * 4);
    assertThat(removed).containsOnly(Map.entry("a", 2), Map.entry("b", 1));
  }

  @Test
  void shouldNotAskForBackfillWhenTheListIsFull() {
    final RuleChain chain = new RuleChain(List.of(new Drop("a", List.of("m1"))), 2);
    final Map<String, Integer> removed = new HashMap<>();

    final List<Candidate> list =
        chain.rank(
            candidates("m1", "m2", "m3", "m4"),
            count -> {
              throw new AssertionError("no backfill needed");
            },
            SESSION,
            removed::put);

    assertThat(list).extracting(Candidate::itemId).containsExactly("m2", "m3");
    assertThat(removed).containsOnly(Map.entry("a", 1));
  }
}
