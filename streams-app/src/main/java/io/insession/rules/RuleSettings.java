package io.insession.rules;

import io.insession.config.CampaignSpec;
import io.insession.config.InSessionConfig;
import io.insession.config.RuleChainSpec;
import io.insession.content.ContentSettings;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which rules each variant's lists go through, and the rules' parameters.
 *
 * @param chain the default chain's rule names, in order ({@link RuleChainSpec#RULES})
 * @param variantChains chains of single variants, replacing {@code chain} for them
 * @param categoryMaxItems the category cap: most items of one category per list
 * @param categoryDepth levels of the category path that make a category (0: the whole path)
 * @param campaigns boosts and buries
 * @param backfill whether short lists are filled up from the scorer's fallback
 * @param content the content route's parameters (rule {@value RuleChainSpec#CONTENT})
 */
public record RuleSettings(
    List<String> chain,
    Map<String, List<String>> variantChains,
    int categoryMaxItems,
    int categoryDepth,
    List<CampaignSpec> campaigns,
    boolean backfill,
    ContentSettings content) {

  public RuleSettings {
    chain = RuleChainSpec.parseChain(chain);
    variantChains = Map.copyOf(variantChains);
    campaigns = List.copyOf(campaigns);
    Objects.requireNonNull(content, "content");
    if (categoryMaxItems < 1 || categoryDepth < 0) {
      throw new IllegalArgumentException(
          "category cap needs max items >= 1 and depth >= 0: "
              + categoryMaxItems
              + ", "
              + categoryDepth);
    }
  }

  /** InSession's defaults: exclude-seen only, backfill on (no catalogue needed). */
  public static RuleSettings defaults() {
    return new RuleSettings(
        List.of(RuleChainSpec.EXCLUDE_SEEN),
        Map.of(),
        3,
        1,
        List.of(),
        true,
        ContentSettings.defaults());
  }

  /** The settings of {@code config}. */
  public static RuleSettings from(final InSessionConfig config) {
    return new RuleSettings(
        config.ruleChain(),
        config.variantRuleChains(),
        config.getInt(InSessionConfig.RULES_CATEGORY_MAX_ITEMS),
        config.getInt(InSessionConfig.RULES_CATEGORY_DEPTH),
        config.campaigns(),
        config.getBoolean(InSessionConfig.RULES_BACKFILL),
        ContentSettings.from(config));
  }

  /** The same settings with another default chain. */
  public RuleSettings withChain(final List<String> other) {
    return new RuleSettings(
        other, variantChains, categoryMaxItems, categoryDepth, campaigns, backfill, content);
  }

  /** The same settings with per-variant chains. */
  public RuleSettings withVariantChains(final Map<String, List<String>> other) {
    return new RuleSettings(
        chain, other, categoryMaxItems, categoryDepth, campaigns, backfill, content);
  }

  /** The same settings with another category cap. */
  public RuleSettings withCategoryCap(final int maxItems, final int depth) {
    return new RuleSettings(chain, variantChains, maxItems, depth, campaigns, backfill, content);
  }

  /** The same settings with other campaigns. */
  public RuleSettings withCampaigns(final List<CampaignSpec> other) {
    return new RuleSettings(
        chain, variantChains, categoryMaxItems, categoryDepth, other, backfill, content);
  }

  /** The same settings with backfill on or off. */
  public RuleSettings withBackfill(final boolean on) {
    return new RuleSettings(
        chain, variantChains, categoryMaxItems, categoryDepth, campaigns, on, content);
  }

  /** The same settings with other content route parameters. */
  public RuleSettings withContent(final ContentSettings other) {
    return new RuleSettings(
        chain, variantChains, categoryMaxItems, categoryDepth, campaigns, backfill, other);
  }

  /** The chain of {@code variant}: its own, or the default. */
  public List<String> chainOf(final String variant) {
    return variantChains.getOrDefault(variant, chain);
  }

  /** Whether any chain uses a rule that reads the catalogue (so the topology needs its store). */
  public boolean needsCatalog() {
    return usesCatalog(chain)
        || variantChains.values().stream().anyMatch(RuleSettings::usesCatalog);
  }

  /** Whether any chain uses the content route (so the topology keeps the content index). */
  public boolean usesContent() {
    return chain.contains(RuleChainSpec.CONTENT)
        || variantChains.values().stream().anyMatch(c -> c.contains(RuleChainSpec.CONTENT));
  }

  private static boolean usesCatalog(final List<String> rules) {
    return rules.stream().anyMatch(rule -> !RuleChainSpec.EXCLUDE_SEEN.equals(rule));
  }
}
