package io.insession.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.insession.content.ContentSettings;
import io.insession.rules.RuleSettings;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** The rule settings: chains per variant and campaigns, parsed and refused with a reason. */
class RuleChainSpecTest {

  @Test
  void shouldParseTheChainsAndCampaignsOfTheConfig() {
    final InSessionConfig config =
        InSessionConfig.of(
            Map.of(
                InSessionConfig.RULES_CHAIN, "available, exclude-seen,category-cap",
                InSessionConfig.RULES_VARIANT_CHAINS, "control:available,bare:",
                InSessionConfig.RULES_CAMPAIGNS,
                    "Brand=Acme:+2.5,attr.Season=winter:-1,category=a:b:3"));

    assertThat(config.ruleChain()).containsExactly("available", "exclude-seen", "category-cap");
    assertThat(config.variantRuleChains())
        .isEqualTo(Map.of("control", List.of("available"), "bare", List.of()));
    assertThat(config.campaigns())
        .containsExactly(
            new CampaignSpec("brand", "Acme", 2.5f),
            new CampaignSpec("attr.Season", "winter", -1f),
            new CampaignSpec("category", "a:b", 3f));
    assertThat(InSessionConfig.of(Map.of()).ruleChain()).containsExactly("exclude-seen");
  }

  @Test
  void shouldParseTheContentRouteAndItsSettingsPerVariant() {
    final InSessionConfig config =
        InSessionConfig.of(
            Map.of(
                InSessionConfig.RULES_VARIANT_CHAINS, "gru:content+available+exclude-seen",
                InSessionConfig.CONTENT_NEW_ITEM_AGE_MS, "3600000",
                InSessionConfig.CONTENT_NEW_ITEM_SLOTS, "2",
                InSessionConfig.CONTENT_MIN_SIMILARITY, "0.5"));
    final RuleSettings rules = RuleSettings.from(config);

    assertThat(rules.chainOf("gru")).containsExactly("content", "available", "exclude-seen");
    assertThat(rules.chainOf("control")).containsExactly("exclude-seen");
    assertThat(rules.usesContent()).isTrue();
    assertThat(rules.needsCatalog()).isTrue();
    assertThat(rules.content()).isEqualTo(new ContentSettings(3_600_000L, 2, 0.5, 3, 50));
    assertThat(RuleSettings.defaults().usesContent()).isFalse();
    assertThatThrownBy(
            () -> InSessionConfig.of(Map.of(InSessionConfig.CONTENT_MIN_SIMILARITY, "1.5")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(InSessionConfig.CONTENT_MIN_SIMILARITY);
  }

  @Test
  void shouldRefuseUnknownOrRepeatedRulesAndBadCampaigns() {
    assertThatThrownBy(() -> InSessionConfig.of(Map.of(InSessionConfig.RULES_CHAIN, "in-stock")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown rule 'in-stock'");
    assertThatThrownBy(
            () -> InSessionConfig.of(Map.of(InSessionConfig.RULES_CHAIN, "available,available")))
        .hasMessageContaining("rule 'available' is named twice");
    assertThatThrownBy(
            () -> InSessionConfig.of(Map.of(InSessionConfig.RULES_VARIANT_CHAINS, "gru")))
        .hasMessageContaining("must be VARIANT:RULE+RULE");
    assertThatThrownBy(
            () -> InSessionConfig.of(Map.of(InSessionConfig.RULES_CAMPAIGNS, "colour=red:1")))
        .hasMessageContaining("must be brand, category or attr.NAME");
    assertThatThrownBy(
            () -> InSessionConfig.of(Map.of(InSessionConfig.RULES_CAMPAIGNS, "brand=Acme:lots")))
        .hasMessageContaining("offset 'lots' is not a number");
    assertThatThrownBy(
            () -> InSessionConfig.of(Map.of(InSessionConfig.RULES_CAMPAIGNS, "brand=Acme:0")))
        .hasMessageContaining("non-zero offset");
  }
}
