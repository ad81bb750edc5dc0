package io.insession.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The variant set: sticky, weighted, stable assignment, and refusal of bad weights. */
class ScorerVariantsTest {

  private static final int SESSIONS = 10_000;

  private static SessionScorer scorer(final String name) {
    return PopularityScorer.fromCounts(new ModelInfo(name, "1"), Map.of("a", 2L, "b", 1L), 2);
  }

  private static ScorerVariants ninetyTen(final String salt) {
    return ScorerVariants.of(
        List.of(
            new ScorerVariant("gru", 90, scorer("gru-model")),
            new ScorerVariant("control", 10, scorer("popular"))),
        salt);
  }

  private static String session(final int i) {
    return "session-" + i;
  }

  @Test
  void shouldHashWithMurmur3X86Of32Bits() {
    // reference vectors of MurmurHash3_x86_32
    assertThat(Murmur3.hash32(bytes(""), 0)).isZero();
    assertThat(Murmur3.hash32(bytes(""), 1)).isEqualTo(0x514e28b7);
    assertThat(Murmur3.hash32(bytes(""), 0xffffffff)).isEqualTo(0x81f16f39);
    assertThat(Murmur3.hash32(bytes("hello"), 0)).isEqualTo(0x248bfa47);
    assertThat(Murmur3.hash32(bytes("The quick brown fox jumps over the lazy dog"), 0))
        .isEqualTo(0x2e4ff723);
  }

  @Test
  void shouldAssignEachSessionTheSameVariantEveryTimeAndInEverySetWithTheSameSalt() {
    final ScorerVariants one = ninetyTen("exp-1");
    final ScorerVariants again = ninetyTen("exp-1");
    for (int i = 0; i < SESSIONS; i++) {
      final String name = one.variantFor(session(i)).name();
      assertThat(one.variantFor(session(i)).name()).isEqualTo(name);
      assertThat(again.variantFor(session(i)).name()).as(session(i)).isEqualTo(name);
    }
  }

  @Test
  void shouldKeepTheAssignmentOfLiveSessionsAcrossReleases() {
    // pinned (computed independently from murmur3_32 of "exp-1:session-i", scaled onto 0..99):
    // a change here would move live sessions to another variant at the next deployment
    final ScorerVariants set = ninetyTen("exp-1");
    assertThat(IntStream.range(0, 8).mapToObj(i -> set.variantFor(session(i)).name()).toList())
        .containsExactly("control", "gru", "control", "gru", "gru", "gru", "gru", "gru");
  }

  @Test
  void shouldSplitSessionsByTheWeightsWithinABinomialBound() {
    final Map<String, Integer> counts = count(ninetyTen("exp-1"));
    // control ~ Binomial(10,000, 0.1): mean 1,000, standard deviation 30; 5 sigma either side
    assertThat(counts.get("control")).isBetween(850, 1150);
    assertThat(counts.get("gru") + counts.get("control")).isEqualTo(SESSIONS);
  }

  @Test
  void shouldReshuffleSessionsWithAnotherSaltButKeepTheWeights() {
    final ScorerVariants first = ninetyTen("exp-1");
    final ScorerVariants second = ninetyTen("exp-2");
    int moved = 0;
    for (int i = 0; i < SESSIONS; i++) {
      if (!first.variantFor(session(i)).name().equals(second.variantFor(session(i)).name())) {
        moved++;
      }
    }
    // independent 90/10 draws differ with probability 0.18: mean 1,800, sd ~38
    assertThat(moved).isBetween(1600, 2000);
    assertThat(count(second).get("control")).isBetween(850, 1150);
  }

  @Test
  void shouldNeverAssignAVariantOfWeightZero() {
    final ScorerVariants set =
        ScorerVariants.of(
            List.of(
                new ScorerVariant("off", 0, scorer("off")),
                new ScorerVariant("on", 3, scorer("on"))),
            "s");
    assertThat(count(set)).containsOnlyKeys("on");
  }

  @Test
  void shouldServeEverySessionOnTheSingleDefaultVariant() {
    final SessionScorer only = scorer("only");
    final ScorerVariants set = ScorerVariants.single(only);
    assertThat(set.variantFor("any").name()).isEqualTo(ScorerVariants.DEFAULT);
    assertThat(set.variantFor("other").scorer()).isSameAs(only);
    assertThat(set.primary().weight()).isEqualTo(1);
  }

  @Test
  void shouldRefuseANegativeWeight() {
    assertThatThrownBy(() -> new ScorerVariant("gru", -1, scorer("gru")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the weight of variant 'gru' must be >= 0, got -1");
  }

  @Test
  void shouldRefuseWeightsThatAddUpToZero() {
    assertThatThrownBy(
            () ->
                ScorerVariants.of(
                    List.of(
                        new ScorerVariant("a", 0, scorer("a")),
                        new ScorerVariant("b", 0, scorer("b"))),
                    "s"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "the variants' weights add up to 0; at least one variant needs a weight above 0");
  }

  @Test
  void shouldRefuseAnEmptySetAndARepeatedName() {
    assertThatThrownBy(() -> ScorerVariants.of(List.of(), "s"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a variant set needs at least one variant");
    assertThatThrownBy(
            () ->
                ScorerVariants.of(
                    List.of(
                        new ScorerVariant("a", 1, scorer("a")),
                        new ScorerVariant("a", 1, scorer("b"))),
                    "s"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("variant 'a' is named twice");
  }

  @Test
  void shouldCloseASharedScorerOnce() {
    final int[] closed = {0};
    final SessionScorer shared =
        new SessionScorer() {
          @Override
          public ModelInfo model() {
            return new ModelInfo("shared", "1");
          }

          @Override
          public StepResult step(final StepRequest request) {
            throw new UnsupportedOperationException();
          }

          @Override
          public List<Candidate> fallback(final int count) {
            return List.of();
          }

          @Override
          public void close() {
            closed[0]++;
          }
        };
    ScorerVariants.of(
            List.of(new ScorerVariant("a", 1, shared), new ScorerVariant("b", 1, shared)), "s")
        .close();
    assertThat(closed[0]).isEqualTo(1);
  }

  @Test
  void shouldHandOutTheReplacedSetFromTheHolder() {
    final ScorerVariants first = ninetyTen("a");
    final ScorerVariants second = ninetyTen("b");
    final CurrentVariants current = new CurrentVariants(first);
    assertThat(current.get()).isSameAs(first);
    assertThat(current.replace(second)).isSameAs(first);
    assertThat(current.get()).isSameAs(second);
  }

  private static Map<String, Integer> count(final ScorerVariants set) {
    final Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < SESSIONS; i++) {
      counts.merge(set.variantFor(session(i)).name(), 1, Integer::sum);
    }
    return counts;
  }

  private static byte[] bytes(final String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
