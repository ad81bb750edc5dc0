package io.insession.rules;

import io.insession.catalog.ItemCatalog;
import io.insession.config.RuleChainSpec;
import io.insession.schemas.CatalogItem;
import io.insession.scoring.Candidate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * At most N items of one category per list (cross-category exposure): going down the candidates, an
 * item whose category already has N is dropped, making room for lower ranked items of other
 * categories. The category is the first {@code depth} levels of the item's category path (all of it
 * for depth 0); items the catalogue does not list, or lists without a category, are not capped.
 */
public final class CategoryCap implements RecommendationRule {

  private final ItemCatalog catalog;
  private final int maxItems;
  private final int depth;

  public CategoryCap(final ItemCatalog catalog, final int maxItems, final int depth) {
    if (maxItems < 1 || depth < 0) {
      throw new IllegalArgumentException(
          "category cap needs maxItems >= 1 and depth >= 0: " + maxItems + ", " + depth);
    }
    this.catalog = catalog;
    this.maxItems = maxItems;
    this.depth = depth;
  }

  @Override
  public String name() {
    return RuleChainSpec.CATEGORY_CAP;
  }

  @Override
  public List<Candidate> apply(final List<Candidate> candidates, final SessionView session) {
    final Map<List<String>, Integer> counts = new HashMap<>();
    final List<Candidate> kept = new ArrayList<>(candidates.size());
    for (final Candidate candidate : candidates) {
      final List<String> category = category(catalog.item(candidate.itemId()));
      if (category.isEmpty() || counts.merge(category, 1, Integer::sum) <= maxItems) {
        kept.add(candidate);
      }
    }
    return kept;
  }

  private List<String> category(final CatalogItem item) {
    if (item == null) {
      return List.of();
    }
    final List<String> path = item.getCategoryPath();
    return depth == 0 || path.size() <= depth ? path : path.subList(0, depth);
  }
}
