package io.insession.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.insession.schemas.CatalogItem;
import io.insession.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The synthetic catalogue: labelled, deterministic, and loadable by the catalogue reader. */
class SyntheticCatalogTest {

  private static final Instant AT = Instant.parse("2026-11-27T00:00:00Z");

  @TempDir Path dir;

  private static List<String> tinyItems() {
    final List<String> items = new ArrayList<>();
    for (int i = 0; i < TestModels.tinyBundle().numItems(); i++) {
      items.add(TestModels.tinyItemId(i));
    }
    return items;
  }

  @Test
  void shouldLabelEveryRecordSyntheticAndBeTheSameForTheSameSeed() {
    final List<CatalogItem> items = SyntheticCatalog.generate(tinyItems(), 7, AT);

    assertThat(items).hasSize(TestModels.tinyBundle().numItems());
    assertThat(items)
        .allSatisfy(
            item -> {
              assertThat(item.getSynthetic()).isTrue();
              assertThat(item.getTitle()).startsWith("Synthetic item ");
              assertThat(item.getCategoryPath().get(0)).startsWith("Synthetic ");
              assertThat(item.getBrand()).startsWith("Synthetic ");
            });
    assertThat(SyntheticCatalog.generate(tinyItems(), 7, AT)).isEqualTo(items);
    assertThat(SyntheticCatalog.generate(tinyItems(), 8, AT)).isNotEqualTo(items);
    final long outOfStock = items.stream().filter(item -> !item.getInStock()).count();
    assertThat(outOfStock).isBetween(items.size() / 40L, items.size() / 10L);
  }

  @Test
  void shouldWriteJsonThatTheCatalogueReaderReadsBackUnchanged() throws Exception {
    final List<CatalogItem> items = SyntheticCatalog.generate(tinyItems().subList(0, 50), 1, AT);
    final StringBuilder lines = new StringBuilder();
    for (final CatalogItem item : items) {
      lines.append(CatalogJson.toJson(item)).append('\n');
    }
    final Path file = Files.writeString(dir.resolve("synthetic.jsonl"), lines);

    assertThat(CatalogFile.read(file).stream().map(CatalogEntry::item).toList()).isEqualTo(items);
  }
}
