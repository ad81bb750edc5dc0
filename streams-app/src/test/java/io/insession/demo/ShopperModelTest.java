package io.insession.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The SIMULATED shopper's decisions on a list, with fixed seeds. */
class ShopperModelTest {

  private static final List<String> AHEAD = List.of("next", "later");

  @Test
  void shouldExamineRanksByOneOverLog2() {
    assertThat(ShopperModel.examination(1)).isEqualTo(1.0);
    assertThat(ShopperModel.examination(3)).isCloseTo(0.5, within(1e-12));
    assertThat(ShopperModel.examination(7)).isCloseTo(1.0 / 3, within(1e-12));
    assertThrows(IllegalArgumentException.class, () -> ShopperModel.examination(0));
  }

  @Test
  void shouldAlwaysClickCartAndBuyTheWantedTopItemWhenEveryStepIsCertain() {
    final ShopperModel certain = new ShopperModel(3, 1, 0, 0, 1, 0, 1, 0);

    final Optional<ShopperModel.Choice> choice =
        certain.decide("s-1", 0, List.of("next", "x", "y"), AHEAD);

    // rank 1 is examined with probability 1 and attracts with 1: clicked, carted, bought, 1 unit
    assertThat(choice).contains(new ShopperModel.Choice("next", 1, true, true, true, 1));
  }

  @Test
  void shouldClickNothingWhenNothingShownAttracts() {
    final ShopperModel onlyWanted = new ShopperModel(3, 1, 1, 0, 1, 1, 1, 1);

    for (int step = 0; step < 200; step++) {
      assertThat(onlyWanted.decide("s-1", step, List.of("x", "y", "z"), AHEAD)).isEmpty();
    }
  }

  @Test
  void shouldClickOnlyShownItemsAndMostlyTheWantedOnes() {
    final ShopperModel model = ShopperModel.withSeed(11);
    final List<String> shown = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      shown.add("other-" + i);
    }
    shown.set(0, "next");
    shown.set(4, "later");
    int next = 0;
    int later = 0;
    int others = 0;
    final int draws = 4_000;
    for (int step = 0; step < draws; step++) {
      final Optional<ShopperModel.Choice> choice =
          model.decide("s-" + step % 40, step, shown, AHEAD);
      if (choice.isEmpty()) {
        continue;
      }
      final ShopperModel.Choice c = choice.get();
      assertThat(shown).contains(c.itemId());
      assertThat(shown.get(c.rank() - 1)).isEqualTo(c.itemId());
      assertThat(c.wanted()).isEqualTo(AHEAD.contains(c.itemId()));
      assertThat(!c.buy() || c.addToCart()).as("buys only what is in the cart").isTrue();
      assertThat(c.units()).isBetween(1, 2);
      switch (c.itemId()) {
        case "next" -> next++;
        case "later" -> later++;
        default -> others++;
      }
    }
    // rank 1, attraction 0.5: clicked on about half the lists (binomial sd 0.008 at 4,000)
    assertThat(next / (double) draws).isCloseTo(0.5, within(0.03));
    // rank 5 (examined 1/log2(6) = 0.387) x 0.25, when rank 1 was not clicked: about 0.048
    assertThat(later / (double) draws).isCloseTo(0.5 * 0.387 * 0.25, within(0.015));
    assertThat(others).as("the 18 other items together").isLessThan(later);
  }

  @Test
  void shouldDecideTheSameForTheSameSessionAndStepWhateverCameBefore() {
    final ShopperModel model = ShopperModel.withSeed(5);
    final List<String> shown = List.of("a", "next", "b", "later");
    final List<Optional<ShopperModel.Choice>> first = new ArrayList<>();
    for (int step = 0; step < 50; step++) {
      first.add(model.decide("s-9", step, shown, AHEAD));
    }
    for (int step = 49; step >= 0; step--) {
      assertThat(model.decide("s-9", step, shown, AHEAD)).isEqualTo(first.get(step));
    }
    assertThat(first).as("some lists clicked, some not").contains(Optional.empty());
    assertThat(first).anyMatch(Optional::isPresent);
  }

  @Test
  void shouldRefuseAProbabilityOutsideZeroToOne() {
    final IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new ShopperModel(1, 1.5, 0, 0, 0, 0, 0, 0));
    assertThat(e).hasMessageContaining("wantedNext").hasMessageContaining("1.5");
    assertThrows(
        IllegalArgumentException.class, () -> new ShopperModel(1, 0, 0, Double.NaN, 0, 0, 0, 0));
  }
}
