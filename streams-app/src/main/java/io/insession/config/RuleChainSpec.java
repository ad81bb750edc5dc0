package io.insession.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rule chains as {@code insession.rules.chain} and {@code insession.rules.chain.variants} name
 * them: rule names in order, each at most once.
 */
public final class RuleChainSpec {

  /** Drops items out of stock, not yet on sale, or not in the catalogue. */
  public static final String AVAILABLE = "available";

  /** Drops items the session already saw. */
  public static final String EXCLUDE_SEEN = "exclude-seen";

  /** At most N items per category. */
  public static final String CATEGORY_CAP = "category-cap";

  /** Boosts and buries by attribute. */
  public static final String CAMPAIGNS = "campaigns";

  /**
   * The content route: adds new items and content neighbours of the session's recent items (put it
   * first, so that the other rules see what it adds).
   */
  public static final String CONTENT = "content";

  /** Every rule name a chain may use. */
  public static final List<String> RULES =
      List.of(AVAILABLE, EXCLUDE_SEEN, CATEGORY_CAP, CAMPAIGNS, CONTENT);

  private static final String VARIANT_CHARS = "[A-Za-z0-9._-]+";

  private RuleChainSpec() {}

  /**
   * The rule names of one chain, in order.
   *
   * @throws IllegalArgumentException naming an unknown or repeated rule
   */
  public static List<String> parseChain(final List<String> names) {
    final Set<String> chain = new LinkedHashSet<>();
    for (final String raw : names) {
      final String name = raw.strip();
      if (name.isEmpty()) {
        continue;
      }
      if (!RULES.contains(name)) {
        throw new IllegalArgumentException("unknown rule '" + name + "'; rules are " + RULES);
      }
      if (!chain.add(name)) {
        throw new IllegalArgumentException("rule '" + name + "' is named twice");
      }
    }
    return List.copyOf(chain);
  }

  /**
   * Per-variant chains from {@code VARIANT:RULE+RULE} entries.
   *
   * @throws IllegalArgumentException with what is wrong
   */
  public static Map<String, List<String>> parseVariantChains(final List<String> entries) {
    final Map<String, List<String>> chains = new LinkedHashMap<>();
    for (final String raw : entries) {
      final String entry = raw.strip();
      if (entry.isEmpty()) {
        continue;
      }
      final int colon = entry.indexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException(
            "'" + entry + "' must be VARIANT:RULE+RULE..., e.g. control:available");
      }
      final String variant = entry.substring(0, colon).strip();
      if (!variant.matches(VARIANT_CHARS)) {
        throw new IllegalArgumentException(
            "variant name '" + variant + "' must be letters, digits, '.', '_' or '-'");
      }
      final List<String> rules = new ArrayList<>();
      for (final String rule : entry.substring(colon + 1).split("\\+", -1)) {
        rules.add(rule);
      }
      if (chains.put(variant, parseChain(rules)) != null) {
        throw new IllegalArgumentException("variant '" + variant + "' has two rule chains");
      }
    }
    return Map.copyOf(chains);
  }
}
