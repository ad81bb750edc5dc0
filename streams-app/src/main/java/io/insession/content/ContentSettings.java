package io.insession.content;

import io.insession.config.InSessionConfig;
import java.util.Map;

/**
 * The content route's parameters (docs/catalog.md, "The content route").
 *
 * @param newItemAgeMs an item listed ({@code firstSeen}) less than this long ago is new: it may be
 *     blended into the model's lists
 * @param newItemSlots most new items blended into one list
 * @param minSimilarity least similarity (0..1) of an item to the session's recent items for the
 *     route to propose it
 * @param sessionItems how many of the session's latest items make the query
 * @param itemsPerToken most items the index keeps per attribute token (the most recently listed)
 */
public record ContentSettings(
    long newItemAgeMs,
    int newItemSlots,
    double minSimilarity,
    int sessionItems,
    int itemsPerToken) {

  public ContentSettings {
    if (newItemAgeMs < 1
        || newItemSlots < 0
        || minSimilarity < 0
        || minSimilarity > 1
        || sessionItems < 1
        || itemsPerToken < 1) {
      throw new IllegalArgumentException("content route settings out of range: " + this);
    }
  }

  /** InSession's defaults, as {@link InSessionConfig} defines them. */
  public static ContentSettings defaults() {
    return from(InSessionConfig.of(Map.of()));
  }

  /** The settings of {@code config}. */
  public static ContentSettings from(final InSessionConfig config) {
    return new ContentSettings(
        config.getLong(InSessionConfig.CONTENT_NEW_ITEM_AGE_MS),
        config.getInt(InSessionConfig.CONTENT_NEW_ITEM_SLOTS),
        config.getDouble(InSessionConfig.CONTENT_MIN_SIMILARITY),
        config.getInt(InSessionConfig.CONTENT_SESSION_ITEMS),
        config.getInt(InSessionConfig.CONTENT_INDEX_ITEMS_PER_TOKEN));
  }
}
