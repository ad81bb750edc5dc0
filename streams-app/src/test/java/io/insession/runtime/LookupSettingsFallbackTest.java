package io.insession.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.insession.api.FallbackLists;
import io.insession.config.InSessionConfig;
import io.insession.scoring.PopularityScorer;
import io.insession.testing.TestModels;
import io.insession.trending.Trending;
import io.insession.trending.TrendingLists;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which fallback the lookup API gets from the settings. */
class LookupSettingsFallbackTest {

  @Test
  void shouldKeepThe404WithTrendingOffEvenWithABundle() {
    final InSessionConfig config =
        InSessionConfig.of(
            Map.of(
                InSessionConfig.TRENDING_ENABLED,
                "false",
                InSessionConfig.MODEL_BUNDLE,
                TestModels.tinyBundleDir().toString()));

    assertThat(LookupSettings.fallback(config, TrendingLists.NONE)).isSameAs(FallbackLists.NONE);
  }

  @Test
  void shouldFallBackToTheBundlesPopularItemsWithTrendingOnByDefault() {
    final InSessionConfig config =
        InSessionConfig.of(
            Map.of(
                InSessionConfig.RECOMMENDATIONS_COUNT,
                "7",
                InSessionConfig.MODEL_BUNDLE,
                TestModels.tinyBundleDir().toString()));
    final TrendingLists trending = (scope, count) -> Trending.empty(scope);

    final FallbackLists fallback = LookupSettings.fallback(config, trending);

    assertThat(fallback.length()).isEqualTo(7);
    assertThat(fallback.trending()).isSameAs(trending);
    assertThat(fallback.popular())
        .isEqualTo(PopularityScorer.fromBundle(TestModels.tinyBundle()).fallback(7));
    assertThat(fallback.of("all").orElseThrow().source()).isEqualTo(FallbackLists.POPULAR);
  }

  @Test
  void shouldHaveNoPopularityListWithoutABundle() {
    final InSessionConfig config = InSessionConfig.of(Map.of());

    assertThat(LookupSettings.fallback(config, TrendingLists.NONE).of("all")).isEmpty();
  }
}
