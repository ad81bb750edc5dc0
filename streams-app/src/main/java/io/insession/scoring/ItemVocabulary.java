package io.insession.scoring;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.IntStream;

/**
 * items.tsv in memory: model index ↔ item id with training counts, plus the popularity order. Item
 * lookup is a HashMap because it runs once per event.
 */
final class ItemVocabulary {

  static final String HEADER = "index\titem_id\tcount";

  private final String[] itemIds;
  private final long[] counts;
  private final Map<String, Integer> indexById;
  private final int[] byPopularity;

  private ItemVocabulary(final String[] itemIds, final long[] counts) {
    this.itemIds = itemIds;
    this.counts = counts;
    this.indexById = new HashMap<>(itemIds.length * 2);
    for (int i = 0; i < itemIds.length; i++) {
      indexById.put(itemIds[i], i);
    }
    // most clicks first; ties by model index so that the order is reproducible
    this.byPopularity =
        IntStream.range(0, itemIds.length)
            .boxed()
            .sorted(
                Comparator.comparingLong((Integer i) -> counts[i])
                    .reversed()
                    .thenComparingInt(i -> i))
            .mapToInt(Integer::intValue)
            .toArray();
  }

  /** Reads and validates items.tsv; errors name the file and the line. */
  static ItemVocabulary read(final Path file, final String fileName, final int expectedRows) {
    final List<String> ids = new ArrayList<>(expectedRows);
    final long[] counts = new long[expectedRows];
    final Map<String, Integer> seen = new HashMap<>(expectedRows * 2);
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      final String header = reader.readLine();
      if (!HEADER.equals(header)) {
        throw fail(
            fileName, 1, "expected header 'index<TAB>item_id<TAB>count', got " + quote(header));
      }
      int lineNo = 1;
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        lineNo++;
        final int index = ids.size();
        final String[] fields = line.split("\t", -1);
        if (fields.length != 3) {
          throw fail(fileName, lineNo, "expected 3 tab-separated fields, got " + fields.length);
        }
        if (!fields[0].equals(Integer.toString(index))) {
          throw fail(
              fileName,
              lineNo,
              "expected index " + index + " (rows in model-index order), got " + quote(fields[0]));
        }
        if (index >= expectedRows) {
          throw fail(
              fileName,
              lineNo,
              "more rows than num_items " + expectedRows + " in " + BundleMetadataReader.FILE);
        }
        final String itemId = fields[1];
        if (itemId.isEmpty()) {
          throw fail(fileName, lineNo, "empty item_id");
        }
        final Integer previous = seen.putIfAbsent(itemId, index);
        if (previous != null) {
          throw fail(
              fileName,
              lineNo,
              "duplicate item_id " + quote(itemId) + " (already at index " + previous + ")");
        }
        try {
          counts[index] = Long.parseLong(fields[2]);
        } catch (final NumberFormatException e) {
          throw fail(fileName, lineNo, "count is not an integer: " + quote(fields[2]));
        }
        if (counts[index] < 0) {
          throw fail(fileName, lineNo, "negative count " + counts[index]);
        }
        ids.add(itemId);
      }
    } catch (final CharacterCodingException e) {
      throw new InvalidModelBundleException(fileName + ": not valid UTF-8", e);
    } catch (final IOException e) {
      throw new InvalidModelBundleException(fileName + ": cannot read: " + e, e);
    }
    if (ids.size() != expectedRows) {
      throw new InvalidModelBundleException(
          fileName
              + ": has "
              + ids.size()
              + " item rows, but "
              + BundleMetadataReader.FILE
              + " says num_items "
              + expectedRows);
    }
    return new ItemVocabulary(ids.toArray(new String[0]), counts);
  }

  int size() {
    return itemIds.length;
  }

  OptionalInt indexOf(final String itemId) {
    final Integer index = indexById.get(itemId);
    return index == null ? OptionalInt.empty() : OptionalInt.of(index);
  }

  String itemId(final int index) {
    return itemIds[index];
  }

  long count(final int index) {
    return counts[index];
  }

  long totalCount() {
    return Arrays.stream(counts).sum();
  }

  List<PopularItem> mostPopular(final int limit) {
    final int n = Math.min(limit, byPopularity.length);
    final List<PopularItem> items = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      final int index = byPopularity[i];
      items.add(new PopularItem(index, itemIds[index], counts[index]));
    }
    return items;
  }

  private static String quote(final String s) {
    return s == null ? "nothing (empty file)" : "'" + s + "'";
  }

  private static InvalidModelBundleException fail(
      final String fileName, final int lineNo, final String what) {
    return new InvalidModelBundleException(fileName + ":" + lineNo + ": " + what);
  }
}
