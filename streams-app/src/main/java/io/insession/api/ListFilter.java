package io.insession.api;

import io.insession.schemas.CatalogItem;
import io.insession.trending.TrendingScopes;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The per-request filters of {@code GET /v1/sessions/{id}/recommendations}: {@code ?category=Shoes
 * > Running} keeps items whose catalogue category path starts with those levels ({@code >} between
 * levels, spaces around them ignored), {@code ?min_price=} and {@code ?max_price=} keep items whose
 * catalogue price lies within (inclusive, in the catalogue's currency; an item without a price
 * fails a price filter). An item the catalogue does not list fails every filter.
 *
 * @param category the category levels, empty for no category filter
 * @param minPrice the lowest price kept, or null
 * @param maxPrice the highest price kept, or null
 */
public record ListFilter(List<String> category, BigDecimal minPrice, BigDecimal maxPrice) {

  /** No filter. */
  public static final ListFilter NONE = new ListFilter(List.of(), null, null);

  public ListFilter {
    category = List.copyOf(category);
  }

  /** Thrown for a filter value that cannot be understood; the API answers 400 BAD_FILTER. */
  public static final class InvalidFilterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InvalidFilterException(final String message) {
      super(message);
    }
  }

  /**
   * The filters of the query parameters (each null when absent).
   *
   * @throws InvalidFilterException naming the parameter and what is wrong with it
   */
  public static ListFilter parse(
      final String category, final String minPrice, final String maxPrice) {
    final BigDecimal min = price("min_price", minPrice);
    final BigDecimal max = price("max_price", maxPrice);
    if (min != null && max != null && min.compareTo(max) > 0) {
      throw new InvalidFilterException(
          "min_price (" + minPrice + ") is above max_price (" + maxPrice + ")");
    }
    return new ListFilter(levels(category), min, max);
  }

  private static List<String> levels(final String category) {
    if (category == null) {
      return List.of();
    }
    final List<String> levels = new ArrayList<>();
    for (final String level : category.split(">", -1)) {
      final String trimmed = level.strip();
      if (trimmed.isEmpty()) {
        throw new InvalidFilterException(
            "category must be a category path such as 'Shoes > Running' (levels separated by"
                + " '>', none empty), got '"
                + category
                + "'");
      }
      levels.add(trimmed);
    }
    return levels;
  }

  private static BigDecimal price(final String name, final String value) {
    if (value == null) {
      return null;
    }
    final BigDecimal price;
    try {
      price = new BigDecimal(value.strip());
    } catch (NumberFormatException e) {
      throw new InvalidFilterException(name + " must be a decimal number, got '" + value + "'");
    }
    if (price.signum() < 0) {
      throw new InvalidFilterException(name + " must not be negative, got '" + value + "'");
    }
    return price;
  }

  /** Whether any filter is set. */
  public boolean active() {
    return !category.isEmpty() || minPrice != null || maxPrice != null;
  }

  /** Whether the catalogue record {@code item} (null: not listed) passes every filter. */
  public boolean keeps(final CatalogItem item) {
    if (item == null) {
      return false;
    }
    final List<String> path = item.getCategoryPath();
    if (path.size() < category.size() || !path.subList(0, category.size()).equals(category)) {
      return false;
    }
    if (minPrice == null && maxPrice == null) {
      return true;
    }
    final BigDecimal price = item.getPrice();
    return price != null
        && (minPrice == null || price.compareTo(minPrice) >= 0)
        && (maxPrice == null || price.compareTo(maxPrice) <= 0);
  }

  /** The trending scope to fill up from: the category's, or {@code all}. */
  public String trendingScope() {
    return category.isEmpty() ? TrendingScopes.ALL : TrendingScopes.category(category);
  }

  /** The filters as the answer echoes them under {@code "filters"}. */
  public Map<String, String> describe() {
    final Map<String, String> filters = new LinkedHashMap<>();
    if (!category.isEmpty()) {
      filters.put("category", String.join(TrendingScopes.SEPARATOR, category));
    }
    if (minPrice != null) {
      filters.put("minPrice", minPrice.toPlainString());
    }
    if (maxPrice != null) {
      filters.put("maxPrice", maxPrice.toPlainString());
    }
    return filters;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "ListFilter%s", describe());
  }
}
