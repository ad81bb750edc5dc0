package io.insession.content;

import io.insession.schemas.CatalogItem;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The attribute tokens of a catalogue record that the content route compares: each prefix of the
 * category path ({@code c:shoes}, {@code c:shoes>running}: a deeper level is a rarer, so heavier,
 * token), the brand ({@code b:acme}) and the title's words ({@code t:pegasus}; letters and digits,
 * at least two characters, at most {@value #MAX_TITLE_TOKENS} of them). Lower case ({@link
 * Locale#ROOT}). Bounded: an item has at most {@code categoryDepth + 1 + }{@value
 * #MAX_TITLE_TOKENS} tokens.
 */
public final class ItemTokens {

  /** Most title words taken from one title. */
  static final int MAX_TITLE_TOKENS = 16;

  private static final Pattern NOT_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");

  private ItemTokens() {}

  /** The distinct tokens of {@code item}, in a fixed order (category, brand, title). */
  public static List<String> of(final CatalogItem item) {
    final Set<String> tokens = new LinkedHashSet<>();
    final StringBuilder path = new StringBuilder("c:");
    for (final String level : item.getCategoryPath()) {
      final String name = level.strip().toLowerCase(Locale.ROOT);
      if (name.isEmpty()) {
        break;
      }
      if (path.length() > 2) {
        path.append('>');
      }
      path.append(name);
      tokens.add(path.toString());
    }
    if (item.getBrand() != null && !item.getBrand().isBlank()) {
      tokens.add("b:" + item.getBrand().strip().toLowerCase(Locale.ROOT));
    }
    int words = 0;
    for (final String word : NOT_WORD.split(item.getTitle().toLowerCase(Locale.ROOT))) {
      if (word.length() >= 2 && words < MAX_TITLE_TOKENS && tokens.add("t:" + word)) {
        words++;
      }
    }
    return new ArrayList<>(tokens);
  }
}
