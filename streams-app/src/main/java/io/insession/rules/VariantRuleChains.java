package io.insession.rules;

import io.insession.catalog.ItemCatalog;
import io.insession.catalog.ListScopedCatalog;
import io.insession.config.ExcludeSeenSpec;
import io.insession.config.RuleChainSpec;
import io.insession.content.ContentIndex;
import io.insession.content.ContentRoute;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rule chain of each variant, built from {@link RuleSettings} on a variant's first list and
 * kept (variants come and go with deployments; a name not configured gets the default chain).
 * Thread-safe.
 */
public final class VariantRuleChains {

  private final RuleSettings settings;
  private final ExcludeSeenSpec excludeSeen;
  private final int listLength;
  private final ListScopedCatalog catalog;
  private final Clock clock;
  private final ContentIndex content;
  private final Map<String, RuleChain> chains = new ConcurrentHashMap<>();
  private final RuleChain fixed;

  /**
   * @param settings which rules, in which order, per variant
   * @param excludeSeen which seen items exclude-seen drops ({@code insession.rules.exclude.seen};
   *     off leaves it out of every chain)
   * @param listLength the length lists are cut to
   * @param catalog where the catalogue rules look items up
   * @param clock the time lists are served at (availability)
   */
  public VariantRuleChains(
      final RuleSettings settings,
      final ExcludeSeenSpec excludeSeen,
      final int listLength,
      final ItemCatalog catalog,
      final Clock clock) {
    this(
        settings,
        excludeSeen,
        listLength,
        catalog,
        new ContentIndex(settings.content().itemsPerToken()),
        clock);
  }

  /**
   * @param content the catalogue's token index that the content route looks neighbours up in (kept
   *     up to date by the catalogue follower)
   * @see #VariantRuleChains(RuleSettings, ExcludeSeenSpec, int, ItemCatalog, Clock)
   */
  public VariantRuleChains(
      final RuleSettings settings,
      final ExcludeSeenSpec excludeSeen,
      final int listLength,
      final ItemCatalog catalog,
      final ContentIndex content,
      final Clock clock) {
    this(settings, excludeSeen, listLength, catalog, content, clock, null);
  }

  private VariantRuleChains(
      final RuleSettings settings,
      final ExcludeSeenSpec excludeSeen,
      final int listLength,
      final ItemCatalog catalog,
      final ContentIndex content,
      final Clock clock,
      final RuleChain fixed) {
    this.fixed = fixed;
    this.content = content;
    this.settings = settings;
    this.excludeSeen = excludeSeen;
    this.listLength = listLength;
    // each candidate looked up once per list, however many rules read it
    this.catalog = new ListScopedCatalog(catalog);
    this.clock = clock;
  }

  /** Every variant served by {@code chain}, without backfill. */
  public static VariantRuleChains single(final RuleChain chain) {
    return new VariantRuleChains(
        RuleSettings.defaults().withBackfill(false),
        ExcludeSeenSpec.ALL,
        1,
        ItemCatalog.EMPTY,
        new ContentIndex(1),
        Clock.systemUTC(),
        chain);
  }

  /** The chain of {@code variant}. */
  public RuleChain of(final String variant) {
    return fixed != null ? fixed : chains.computeIfAbsent(variant, this::build);
  }

  /** Whether lists that the rules left short are filled up from the scorer's fallback. */
  public boolean backfill() {
    return settings.backfill();
  }

  private RuleChain build(final String variant) {
    final List<RecommendationRule> rules = new ArrayList<>();
    for (final String name : settings.chainOf(variant)) {
      switch (name) {
        case RuleChainSpec.AVAILABLE -> rules.add(new ItemAvailability(catalog, clock));
        case RuleChainSpec.EXCLUDE_SEEN -> {
          if (excludeSeen.active()) {
            rules.add(new ExcludeSeenItems(excludeSeen));
          }
        }
        case RuleChainSpec.CATEGORY_CAP ->
            rules.add(
                new CategoryCap(catalog, settings.categoryMaxItems(), settings.categoryDepth()));
        case RuleChainSpec.CAMPAIGNS -> rules.add(new Campaigns(catalog, settings.campaigns()));
        case RuleChainSpec.CONTENT ->
            rules.add(
                new ContentRouteRule(
                    new ContentRoute(content, catalog, clock, settings.content(), listLength)));
        default -> throw new IllegalStateException("unknown rule " + name);
      }
    }
    return new RuleChain(rules, listLength, catalog::newList);
  }
}
