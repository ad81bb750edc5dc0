package io.insession.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One boost or bury of {@code insession.rules.campaigns}: {@code FIELD=VALUE:OFFSET}.
 *
 * @param field {@code brand}, {@code category} or {@code attr.NAME}
 * @param value the value to match (case-sensitive, exactly)
 * @param offset added to a matching candidate's score (positive boosts, negative buries)
 */
public record CampaignSpec(String field, String value, float offset) {

  /** Matches the item's brand. */
  public static final String BRAND = "brand";

  /** Matches any level of the item's category path. */
  public static final String CATEGORY = "category";

  /** Prefix of a free attribute's field. */
  public static final String ATTRIBUTE_PREFIX = "attr.";

  public CampaignSpec {
    if (!BRAND.equals(field)
        && !CATEGORY.equals(field)
        && !(field.startsWith(ATTRIBUTE_PREFIX) && field.length() > ATTRIBUTE_PREFIX.length())) {
      throw new IllegalArgumentException(
          "campaign field '" + field + "' must be brand, category or attr.NAME");
    }
    if (value.isEmpty()) {
      throw new IllegalArgumentException("campaign on '" + field + "' needs a value to match");
    }
    if (!Float.isFinite(offset) || offset == 0f) {
      throw new IllegalArgumentException(
          "campaign " + field + "=" + value + " needs a finite, non-zero offset");
    }
  }

  /**
   * Parses one {@code FIELD=VALUE:OFFSET} entry (the value may contain ':'; the offset follows the
   * last one).
   *
   * @throws IllegalArgumentException with what is wrong
   */
  public static CampaignSpec parse(final String entry) {
    final String text = entry.strip();
    final int equals = text.indexOf('=');
    final int colon = text.lastIndexOf(':');
    if (equals < 1 || colon < equals) {
      throw new IllegalArgumentException(
          "campaign '" + text + "' must be FIELD=VALUE:OFFSET, e.g. brand=Acme:+2.5");
    }
    final String offset = text.substring(colon + 1).strip();
    final float parsed;
    try {
      parsed = Float.parseFloat(offset);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "campaign '" + text + "': offset '" + offset + "' is not a number", e);
    }
    final String field = text.substring(0, equals).strip();
    final String lower = field.toLowerCase(Locale.ROOT);
    return new CampaignSpec(
        lower.startsWith(ATTRIBUTE_PREFIX)
            ? ATTRIBUTE_PREFIX + field.substring(ATTRIBUTE_PREFIX.length())
            : lower,
        text.substring(equals + 1, colon).strip(),
        parsed);
  }

  /** Parses every entry (blank ones are skipped). */
  public static List<CampaignSpec> parseAll(final List<String> entries) {
    final List<CampaignSpec> specs = new ArrayList<>();
    for (final String entry : entries) {
      if (!entry.isBlank()) {
        specs.add(parse(entry));
      }
    }
    return List.copyOf(specs);
  }
}
