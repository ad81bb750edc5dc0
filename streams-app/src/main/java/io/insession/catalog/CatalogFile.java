package io.insession.catalog;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.insession.schemas.CatalogItem;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a catalogue file: CSV with a header row ({@code .csv}), or JSON ({@code .json}, {@code
 * .jsonl}, {@code .ndjson}: an array of objects, or one object per line). Every record is checked
 * and every error reported with its line; a file with any error yields no entries at all.
 *
 * <p>Fields (CSV columns): {@code itemId} and {@code title} (required), {@code categoryPath} (a
 * JSON array, or in CSV levels joined by {@code >}: {@code Shoes > Running}), {@code brand}, {@code
 * price} (a decimal, at most 4 places, with a 3-letter {@code currency}), {@code inStock} (default
 * true), {@code availableFrom} and {@code firstSeen} (ISO-8601 instants or epoch milliseconds),
 * {@code imageUrl} (http or https), {@code attributes} (a JSON object of strings, or in CSV {@code
 * key=value;key=value}), {@code synthetic} (default false) and {@code deleted} (true: the item is
 * deleted; only {@code itemId} is needed). Unknown fields are errors: a typo must not drop data.
 */
public final class CatalogFile {

  /** Longest item id, as for weblog events. */
  public static final int MAX_ITEM_ID_CHARS = 256;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
  private static final int PRICE_SCALE = 4;
  private static final int PRICE_PRECISION = 18;
  private static final Set<String> FIELDS =
      Set.of(
          "itemId",
          "title",
          "categoryPath",
          "brand",
          "price",
          "currency",
          "inStock",
          "availableFrom",
          "firstSeen",
          "imageUrl",
          "attributes",
          "synthetic",
          "deleted");

  private CatalogFile() {}

  /**
   * The entries of {@code file}, in file order.
   *
   * @throws InvalidCatalogException listing every error with its line; nothing is returned then
   * @throws IOException when the file cannot be read
   */
  public static List<CatalogEntry> read(final Path file)
      throws IOException, InvalidCatalogException {
    final String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    final String text = Files.readString(file, StandardCharsets.UTF_8);
    final List<String> errors = new ArrayList<>();
    final List<Numbered> records;
    if (name.endsWith(".csv")) {
      records = csvRecords(text, errors);
    } else if (name.endsWith(".json") || name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
      records = jsonRecords(text, errors);
    } else {
      throw new InvalidCatalogException(
          file.toString(),
          List.of("the file name must end in .csv, .json, .jsonl or .ndjson (its format)"));
    }
    final List<CatalogEntry> entries = new ArrayList<>(records.size());
    final Map<String, Integer> lines = new HashMap<>();
    for (final Numbered record : records) {
      final CatalogEntry entry = entry(record, errors);
      if (entry == null) {
        continue;
      }
      final Integer earlier = lines.putIfAbsent(entry.itemId(), record.line);
      if (earlier != null) {
        errors.add(
            "line " + record.line + ": item " + entry.itemId() + " is also on line " + earlier);
        continue;
      }
      entries.add(entry);
    }
    if (records.isEmpty() && errors.isEmpty()) {
      errors.add("line 1: no items in the file");
    }
    if (!errors.isEmpty()) {
      errors.sort(Comparator.comparingInt(CatalogFile::lineOf));
      throw new InvalidCatalogException(file.toString(), errors);
    }
    return List.copyOf(entries);
  }

  /** The line an error names ({@code line N: ...}), for sorting (stable: same line, same order). */
  private static int lineOf(final String error) {
    final int colon = error.indexOf(':');
    try {
      return Integer.parseInt(error.substring("line ".length(), colon));
    } catch (RuntimeException e) {
      return 0;
    }
  }

  /** One record of the file as JSON, with the line it starts on. */
  private record Numbered(int line, JsonNode node) {}

  private static List<Numbered> jsonRecords(final String text, final List<String> errors) {
    final List<Numbered> records = new ArrayList<>();
    if (text.stripLeading().startsWith("[")) {
      try (JsonParser parser = JSON.createParser(text)) {
        parser.nextToken();
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY && token != null) {
          final int line = parser.currentTokenLocation().getLineNr();
          final JsonNode node = JSON.readTree(parser);
          records.add(new Numbered(line, node));
        }
        if (parser.nextToken() != null) {
          errors.add(
              "line "
                  + parser.currentTokenLocation().getLineNr()
                  + ": unexpected content after the array");
        }
      } catch (JsonProcessingException e) {
        errors.add(
            "line " + e.getLocation().getLineNr() + ": not valid JSON: " + e.getOriginalMessage());
      } catch (IOException e) {
        errors.add("line 1: not readable as JSON: " + e.getMessage());
      }
      return records;
    }
    final String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      try {
        records.add(new Numbered(i + 1, JSON.readTree(lines[i])));
      } catch (JsonProcessingException e) {
        errors.add("line " + (i + 1) + ": not valid JSON: " + e.getOriginalMessage());
      }
    }
    return records;
  }

  private static List<Numbered> csvRecords(final String text, final List<String> errors) {
    final List<Numbered> records = new ArrayList<>();
    final List<CsvRow> rows = CsvRow.parse(text, errors);
    if (rows.isEmpty()) {
      return records;
    }
    final List<String> header = rows.get(0).fields();
    for (final String column : header) {
      if (!FIELDS.contains(column)) {
        errors.add(
            "line "
                + rows.get(0).line()
                + ": unknown column '"
                + column
                + "'; columns are "
                + FIELDS);
      }
    }
    if (!header.contains("itemId")) {
      errors.add("line " + rows.get(0).line() + ": the header has no itemId column");
      return records;
    }
    for (final CsvRow row : rows.subList(1, rows.size())) {
      if (row.fields().size() != header.size()) {
        errors.add(
            "line "
                + row.line()
                + ": "
                + row.fields().size()
                + " fields, the header has "
                + header.size());
        continue;
      }
      final ObjectNode node = JsonNodeFactory.instance.objectNode();
      for (int i = 0; i < header.size(); i++) {
        final String value = row.fields().get(i);
        if (value.isEmpty() || !FIELDS.contains(header.get(i))) {
          continue;
        }
        switch (header.get(i)) {
          case "categoryPath" -> {
            final ArrayNode path = node.putArray("categoryPath");
            for (final String level : value.split(">", -1)) {
              path.add(level.strip());
            }
          }
          case "attributes" -> {
            final ObjectNode attributes = node.putObject("attributes");
            for (final String pair : value.split(";", -1)) {
              final int equals = pair.indexOf('=');
              if (equals < 1) {
                errors.add("line " + row.line() + ": attribute '" + pair + "' must be key=value");
                continue;
              }
              attributes.put(pair.substring(0, equals).strip(), pair.substring(equals + 1).strip());
            }
          }
          default -> node.put(header.get(i), value);
        }
      }
      records.add(new Numbered(row.line(), node));
    }
    return records;
  }

  /** The entry of one record, or null with its errors added. */
  private static CatalogEntry entry(final Numbered record, final List<String> errors) {
    final String at = "line " + record.line + ": ";
    if (!record.node.isObject()) {
      errors.add(at + "a record must be an object");
      return null;
    }
    final int before = errors.size();
    final Iterator<String> names = record.node.fieldNames();
    while (names.hasNext()) {
      final String field = names.next();
      if (!FIELDS.contains(field)) {
        errors.add(at + "unknown field '" + field + "'; fields are " + FIELDS);
      }
    }
    final Fields fields = new Fields(record.node, at, errors);
    final String itemId = fields.text("itemId", true);
    if (itemId != null && itemId.length() > MAX_ITEM_ID_CHARS) {
      errors.add(at + "itemId is longer than " + MAX_ITEM_ID_CHARS + " characters");
    }
    if (fields.bool("deleted", false)) {
      return errors.size() == before && itemId != null
          ? new CatalogEntry(itemId, null, record.line)
          : null;
    }
    final CatalogItem.Builder item =
        CatalogItem.newBuilder()
            .setItemId(itemId == null ? "" : itemId)
            .setTitle(orEmpty(fields.text("title", true)))
            .setCategoryPath(fields.path("categoryPath"))
            .setBrand(fields.text("brand", false))
            .setInStock(fields.bool("inStock", true))
            .setAvailableFrom(fields.instant("availableFrom"))
            .setFirstSeen(fields.instant("firstSeen"))
            .setImageUrl(fields.url("imageUrl"))
            .setAttributes(fields.attributes("attributes"))
            .setSynthetic(fields.bool("synthetic", false));
    final BigDecimal price = fields.price("price");
    final String currency = fields.text("currency", false);
    if (price != null && currency == null) {
      errors.add(at + "price " + price.toPlainString() + " needs a currency");
    }
    if (currency != null && !CURRENCY.matcher(currency).matches()) {
      errors.add(at + "currency '" + currency + "' must be an ISO 4217 code such as EUR");
    }
    item.setPrice(price).setCurrency(currency);
    return errors.size() == before ? new CatalogEntry(itemId, item.build(), record.line) : null;
  }

  private static String orEmpty(final String text) {
    return text == null ? "" : text;
  }

  /** Typed access to one record's fields, adding an error for each bad value. */
  private record Fields(JsonNode node, String at, List<String> errors) {

    String text(final String field, final boolean required) {
      final JsonNode value = node.get(field);
      if (value == null || value.isNull() || value.isValueNode() && value.asText().isBlank()) {
        if (required) {
          errors.add(at + field + " is required");
        }
        return null;
      }
      if (!value.isValueNode()) {
        errors.add(at + field + " must be a string");
        return null;
      }
      return value.asText().strip();
    }

    boolean bool(final String field, final boolean otherwise) {
      final String text = text(field, false);
      if (text == null) {
        return otherwise;
      }
      return switch (text.toLowerCase(Locale.ROOT)) {
        case "true" -> true;
        case "false" -> false;
        default -> {
          errors.add(at + field + " '" + text + "' must be true or false");
          yield otherwise;
        }
      };
    }

    List<String> path(final String field) {
      final JsonNode value = node.get(field);
      if (value == null || value.isNull()) {
        return List.of();
      }
      if (!value.isArray()) {
        errors.add(at + field + " must be an array of category names, top level first");
        return List.of();
      }
      final List<String> path = new ArrayList<>(value.size());
      for (final JsonNode level : value) {
        if (!level.isTextual() || level.asText().isBlank()) {
          errors.add(at + field + " has an empty or non-text level");
          return List.of();
        }
        path.add(level.asText().strip());
      }
      return path;
    }

    Instant instant(final String field) {
      final JsonNode value = node.get(field);
      if (value != null && value.isIntegralNumber()) {
        return Instant.ofEpochMilli(value.asLong());
      }
      final String text = text(field, false);
      if (text == null) {
        return null;
      }
      try {
        return text.chars().allMatch(Character::isDigit)
            ? Instant.ofEpochMilli(Long.parseLong(text))
            : Instant.parse(text);
      } catch (DateTimeParseException | NumberFormatException e) {
        errors.add(
            at
                + field
                + " '"
                + text
                + "' must be an ISO-8601 instant (2026-11-27T10:00:00Z) or epoch milliseconds");
        return null;
      }
    }

    String url(final String field) {
      final String text = text(field, false);
      if (text == null) {
        return null;
      }
      try {
        final URI uri = new URI(text);
        final String scheme =
            uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
          return text;
        }
      } catch (URISyntaxException e) {
        // reported below
      }
      errors.add(at + field + " '" + text + "' must be an http or https URL");
      return null;
    }

    Map<String, String> attributes(final String field) {
      final JsonNode value = node.get(field);
      if (value == null || value.isNull()) {
        return Map.of();
      }
      if (!value.isObject()) {
        errors.add(at + field + " must be an object of strings");
        return Map.of();
      }
      final Map<String, String> attributes = new LinkedHashMap<>();
      for (final Map.Entry<String, JsonNode> entry : value.properties()) {
        if (entry.getValue().isValueNode() && !entry.getValue().isNull()) {
          attributes.put(entry.getKey(), entry.getValue().asText());
        } else {
          errors.add(at + field + "." + entry.getKey() + " must be a string");
        }
      }
      return attributes;
    }

    BigDecimal price(final String field) {
      final String text = text(field, false);
      if (text == null) {
        return null;
      }
      final BigDecimal price;
      try {
        price = new BigDecimal(text);
      } catch (NumberFormatException e) {
        errors.add(at + field + " '" + text + "' is not a number");
        return null;
      }
      if (price.signum() < 0) {
        errors.add(at + field + " '" + text + "' must be >= 0");
        return null;
      }
      if (price.stripTrailingZeros().scale() > PRICE_SCALE) {
        errors.add(at + field + " '" + text + "' has more than " + PRICE_SCALE + " decimals");
        return null;
      }
      final BigDecimal scaled = price.setScale(PRICE_SCALE, RoundingMode.UNNECESSARY);
      if (scaled.precision() > PRICE_PRECISION) {
        errors.add(at + field + " '" + text + "' is too large");
        return null;
      }
      return scaled;
    }
  }
}
