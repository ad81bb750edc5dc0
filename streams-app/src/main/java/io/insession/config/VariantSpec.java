package io.insession.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One entry of {@code insession.variants}: {@code NAME:SOURCE:WEIGHT}. The source is {@code bundle}
 * (the bundle of {@code insession.model.bundle}), {@code popular} (the most-viewed items of that
 * bundle, the naive control) or the directory of another bundle (anything else; it may contain
 * colons: the name ends at the first colon, the weight starts after the last).
 *
 * @param name the variant's name (letters, digits, '.', '_' or '-')
 * @param source bundle, popular or a bundle directory
 * @param weight its share of new sessions relative to the others (>= 0)
 */
public record VariantSpec(String name, String source, int weight) {

  /** The source that means the bundle of {@code insession.model.bundle}. */
  public static final String BUNDLE = "bundle";

  /** The source that means the most-viewed items of that bundle. */
  public static final String POPULAR = "popular";

  private static final String NAME_CHARS = "[A-Za-z0-9._-]+";

  public VariantSpec {
    if (name == null || !name.matches(NAME_CHARS)) {
      throw new IllegalArgumentException(
          "variant name '" + name + "' must be letters, digits, '.', '_' or '-'");
    }
    if (source == null || source.isBlank()) {
      throw new IllegalArgumentException("variant '" + name + "' needs a source");
    }
    if (weight < 0) {
      throw new IllegalArgumentException(
          "the weight of variant '" + name + "' must be >= 0, got " + weight);
    }
  }

  /** Whether the source is the configured bundle. */
  public boolean isConfiguredBundle() {
    return BUNDLE.equals(source.toLowerCase(Locale.ROOT));
  }

  /** Whether the source is the popularity control. */
  public boolean isPopular() {
    return POPULAR.equals(source.toLowerCase(Locale.ROOT));
  }

  /**
   * Parses one {@code NAME:SOURCE:WEIGHT} entry.
   *
   * @throws IllegalArgumentException with what is wrong
   */
  public static VariantSpec parse(final String entry) {
    final String text = entry.strip();
    final int first = text.indexOf(':');
    final int last = text.lastIndexOf(':');
    if (first < 0 || first == last) {
      throw new IllegalArgumentException(
          "variant '" + text + "' must be NAME:SOURCE:WEIGHT, e.g. gru:bundle:90");
    }
    final String weight = text.substring(last + 1).strip();
    final int parsed;
    try {
      parsed = Integer.parseInt(weight);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "variant '" + text + "': weight '" + weight + "' is not a whole number", e);
    }
    return new VariantSpec(
        text.substring(0, first).strip(), text.substring(first + 1, last).strip(), parsed);
  }

  /**
   * Parses every entry and checks the set: at least one, names unique, weights adding up to more
   * than 0 and at most {@link Integer#MAX_VALUE}.
   *
   * @throws IllegalArgumentException with what is wrong
   */
  public static List<VariantSpec> parseAll(final List<String> entries) {
    final List<VariantSpec> specs = new ArrayList<>(entries.size());
    final Set<String> names = new HashSet<>();
    long total = 0;
    for (final String entry : entries) {
      final VariantSpec spec = parse(entry);
      if (!names.add(spec.name())) {
        throw new IllegalArgumentException("variant '" + spec.name() + "' is named twice");
      }
      total += spec.weight();
      specs.add(spec);
    }
    if (specs.isEmpty()) {
      throw new IllegalArgumentException("at least one variant is needed");
    }
    if (total <= 0) {
      throw new IllegalArgumentException(
          "the weights add up to 0; at least one variant needs a weight above 0");
    }
    if (total > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "the weights add up to " + total + ", more than " + Integer.MAX_VALUE);
    }
    return List.copyOf(specs);
  }
}
