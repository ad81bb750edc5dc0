package io.insession.catalog;

import io.insession.schemas.CatalogItem;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A SYNTHETIC catalogue for item ids that have no real catalogue (the public session data sets come
 * without one): every record is marked {@code synthetic}, titled {@code "Synthetic item <id>"} and
 * placed in made-up categories and brands named {@code Synthetic ...}. Deterministic: the same ids
 * and seed give the same catalogue. About one item in twenty is out of stock.
 */
public final class SyntheticCatalog {

  /** Top-level categories (made up). */
  static final List<String> CATEGORIES =
      List.of("Synthetic Shoes", "Synthetic Garden", "Synthetic Books", "Synthetic Toys");

  /** Second-level categories (made up). */
  static final List<String> SUBCATEGORIES = List.of("A", "B", "C");

  /** Brands (made up). */
  static final List<String> BRANDS =
      List.of("Synthetic Acme", "Synthetic Globex", "Synthetic Initech", "Synthetic Umbrella");

  private SyntheticCatalog() {}

  /**
   * One labelled synthetic record per item id.
   *
   * @param itemIds the items, e.g. a bundle's vocabulary
   * @param seed changes every drawn property
   * @param listedAt the {@code firstSeen} of every item
   */
  public static List<CatalogItem> generate(
      final List<String> itemIds, final int seed, final Instant listedAt) {
    final List<CatalogItem> items = new ArrayList<>(itemIds.size());
    for (final String itemId : itemIds) {
      items.add(item(itemId, seed, listedAt));
    }
    return items;
  }

  /** The labelled synthetic record of one item. */
  public static CatalogItem item(final String itemId, final int seed, final Instant listedAt) {
    // String.hashCode is specified, so the catalogue is the same on every JVM
    final SplittableRandom random = new SplittableRandom(((long) seed << 32) ^ itemId.hashCode());
    final int h = random.nextInt();
    final int g = random.nextInt();
    final String top = CATEGORIES.get(Math.floorMod(h, CATEGORIES.size()));
    final String sub = SUBCATEGORIES.get(Math.floorMod(h >>> 8, SUBCATEGORIES.size()));
    final BigDecimal price =
        BigDecimal.valueOf(Math.floorMod(g, 20_000) + 99L, 2).setScale(4, RoundingMode.UNNECESSARY);
    return CatalogItem.newBuilder()
        .setItemId(itemId)
        .setTitle("Synthetic item " + itemId)
        .setCategoryPath(List.of(top, top + " " + sub))
        .setBrand(BRANDS.get(Math.floorMod(g >>> 8, BRANDS.size())))
        .setPrice(price)
        .setCurrency("EUR")
        .setInStock(Math.floorMod(h >>> 16, 20) != 0)
        .setAvailableFrom(null)
        .setFirstSeen(listedAt.minus(Duration.ofDays(Math.floorMod(g >>> 16, 365))))
        .setImageUrl(null)
        .setAttributes(Map.of("colour", Math.floorMod(h >>> 24, 2) == 0 ? "red" : "blue"))
        .setSynthetic(true)
        .build();
  }
}
