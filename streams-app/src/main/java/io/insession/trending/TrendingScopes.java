package io.insession.trending;

import java.util.ArrayList;
import java.util.List;

/**
 * Names of the trending scopes and of their records' keys. An item counts in {@code all} and, when
 * the catalogue lists it with a category path, in {@code category:P} for every prefix {@code P} of
 * that path, its levels joined with {@value #SEPARATOR} (e.g. {@code category:Shoes} and {@code
 * category:Shoes > Running}).
 */
public final class TrendingScopes {

  /** The scope of every item. */
  public static final String ALL = "all";

  /** Prefix of a category scope. */
  public static final String CATEGORY_PREFIX = "category:";

  /** Between the levels of a category path in a scope name. */
  public static final String SEPARATOR = " > ";

  private TrendingScopes() {}

  /** The scope of the category path prefix {@code levels} (not empty). */
  public static String category(final List<String> levels) {
    if (levels.isEmpty()) {
      throw new IllegalArgumentException("a category scope needs at least one level");
    }
    return CATEGORY_PREFIX + String.join(SEPARATOR, levels);
  }

  /** Every scope an item of {@code categoryPath} counts in: {@code all}, then each prefix. */
  public static List<String> of(final List<String> categoryPath) {
    final List<String> scopes = new ArrayList<>(categoryPath.size() + 1);
    scopes.add(ALL);
    for (int level = 1; level <= categoryPath.size(); level++) {
      scopes.add(category(categoryPath.subList(0, level)));
    }
    return scopes;
  }

  /** The key of one counting task's share of a scope on the trending topic. */
  public static String key(final String scope, final int partition) {
    return scope + '#' + partition;
  }

  /** The prefix of the keys of every share of {@code scope} (others may match too: check scope). */
  public static String keyPrefix(final String scope) {
    return scope + '#';
  }
}
