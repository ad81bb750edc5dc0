package io.insession.rules;

import io.insession.catalog.ItemCatalog;
import io.insession.config.CampaignSpec;
import io.insession.config.RuleChainSpec;
import io.insession.schemas.CatalogItem;
import io.insession.scoring.Candidate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Boosts and buries by attribute: each campaign that matches a candidate's catalogue record adds
 * its offset to the candidate's score; the list is then re-ranked by the new scores (stable: ties
 * keep the model's order). Removes nothing.
 */
public final class Campaigns implements RecommendationRule {

  private final ItemCatalog catalog;
  private final List<CampaignSpec> campaigns;

  public Campaigns(final ItemCatalog catalog, final List<CampaignSpec> campaigns) {
    this.catalog = catalog;
    this.campaigns = List.copyOf(campaigns);
  }

  @Override
  public String name() {
    return RuleChainSpec.CAMPAIGNS;
  }

  @Override
  public List<Candidate> apply(final List<Candidate> candidates, final SessionView session) {
    if (campaigns.isEmpty()) {
      return candidates;
    }
    final List<Candidate> adjusted = new ArrayList<>(candidates.size());
    boolean changed = false;
    for (final Candidate candidate : candidates) {
      final CatalogItem item = catalog.item(candidate.itemId());
      float offset = 0f;
      if (item != null) {
        for (final CampaignSpec campaign : campaigns) {
          if (matches(campaign, item)) {
            offset += campaign.offset();
          }
        }
      }
      changed |= offset != 0f;
      adjusted.add(
          offset == 0f ? candidate : new Candidate(candidate.itemId(), candidate.score() + offset));
    }
    if (changed) {
      adjusted.sort(Comparator.comparingDouble(Candidate::score).reversed());
    }
    return adjusted;
  }

  static boolean matches(final CampaignSpec campaign, final CatalogItem item) {
    return switch (campaign.field()) {
      case CampaignSpec.BRAND -> campaign.value().equals(item.getBrand());
      case CampaignSpec.CATEGORY -> item.getCategoryPath().contains(campaign.value());
      default ->
          campaign
              .value()
              .equals(
                  item.getAttributes()
                      .get(campaign.field().substring(CampaignSpec.ATTRIBUTE_PREFIX.length())));
    };
  }
}
