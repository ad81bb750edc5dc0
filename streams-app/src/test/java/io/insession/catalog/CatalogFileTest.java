package io.insession.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.insession.schemas.CatalogItem;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading catalogue files: both formats, deletions, and every kind of bad input with its line. */
class CatalogFileTest {

  @TempDir Path dir;

  private Path file(final String name, final String text) throws IOException {
    final Path path = dir.resolve(name);
    Files.writeString(path, text, StandardCharsets.UTF_8);
    return path;
  }

  private List<String> errors(final String name, final String text) throws IOException {
    final Path path = file(name, text);
    return assertThrows(InvalidCatalogException.class, () -> CatalogFile.read(path)).errors();
  }

  @Test
  void shouldReadEveryFieldOfACsvFileWithQuotedFields() throws Exception {
    final List<CatalogEntry> entries =
        CatalogFile.read(
            file(
                "items.csv",
                "itemId,title,categoryPath,brand,price,currency,inStock,availableFrom,imageUrl,attributes\n"
                    + "i1,\"Shoe, \"\"red\"\"\",Shoes > Running,Acme,12.5,EUR,false,"
                    + "2026-12-01T00:00:00Z,https://img.example/i1.jpg,colour=red;size=42\n"
                    + "\n"
                    + "i2,Plain,,,,,,,,\n"));

    assertThat(entries).hasSize(2);
    final CatalogItem first = entries.get(0).item();
    assertThat(first.getTitle()).isEqualTo("Shoe, \"red\"");
    assertThat(first.getCategoryPath()).containsExactly("Shoes", "Running");
    assertThat(first.getBrand()).isEqualTo("Acme");
    assertThat(first.getPrice()).isEqualByComparingTo(new BigDecimal("12.5"));
    assertThat(first.getCurrency()).isEqualTo("EUR");
    assertThat(first.getInStock()).isFalse();
    assertThat(first.getAvailableFrom()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
    assertThat(first.getImageUrl()).isEqualTo("https://img.example/i1.jpg");
    assertThat(first.getAttributes()).isEqualTo(Map.of("colour", "red", "size", "42"));
    assertThat(first.getSynthetic()).isFalse();
    final CatalogItem second = entries.get(1).item();
    assertThat(second.getInStock()).isTrue();
    assertThat(second.getCategoryPath()).isEmpty();
    assertThat(second.getPrice()).isNull();
    assertThat(entries.get(1).line()).isEqualTo(4);
  }

  @Test
  void shouldReadJsonArraysAndJsonLinesWithDeletions() throws Exception {
    final List<CatalogEntry> array =
        CatalogFile.read(
            file(
                "items.json",
                "[\n {\"itemId\": \"i1\", \"title\": \"One\", \"categoryPath\": [\"A\", \"B\"],"
                    + " \"price\": 3, \"currency\": \"USD\", \"firstSeen\": 1700000000000,"
                    + " \"synthetic\": true},\n"
                    + " {\"itemId\": \"i2\", \"deleted\": true}\n]"));
    final List<CatalogEntry> lines =
        CatalogFile.read(
            file(
                "items.jsonl",
                "{\"itemId\": \"i1\", \"title\": \"One\", \"attributes\": {\"season\": \"winter\"}}\n"
                    + "{\"itemId\": \"i2\", \"deleted\": \"true\"}\n"));

    assertThat(array.get(0).item().getCategoryPath()).containsExactly("A", "B");
    assertThat(array.get(0).item().getFirstSeen()).isEqualTo(Instant.ofEpochMilli(1700000000000L));
    assertThat(array.get(0).item().getSynthetic()).isTrue();
    assertThat(array.get(1).deletes()).isTrue();
    assertThat(array.get(1).line()).isEqualTo(3);
    assertThat(lines.get(0).item().getAttributes()).containsEntry("season", "winter");
    assertThat(lines.get(1).deletes()).isTrue();
    assertThat(lines.get(1).itemId()).isEqualTo("i2");
  }

  @Test
  void shouldReportEveryBadValueWithItsLineAndReturnNothing() throws IOException {
    final List<String> errors =
        errors(
            "bad.csv",
            "itemId,title,price,currency,inStock,availableFrom,imageUrl\n"
                + "i1,One,-1,EUR,true,,\n"
                + "i2,,1.5,,maybe,yesterday,ftp://x\n"
                + "i3,Three,1.23456,eu,true,,\n"
                + "i1,Again,1,EUR,true,,\n"
                + "i5,Five\n");

    assertThat(errors)
        .containsExactly(
            "line 2: price '-1' must be >= 0",
            "line 3: title is required",
            "line 3: inStock 'maybe' must be true or false",
            "line 3: availableFrom 'yesterday' must be an ISO-8601 instant"
                + " (2026-11-27T10:00:00Z) or epoch milliseconds",
            "line 3: imageUrl 'ftp://x' must be an http or https URL",
            "line 3: price 1.5000 needs a currency",
            "line 4: price '1.23456' has more than 4 decimals",
            "line 4: currency 'eu' must be an ISO 4217 code such as EUR",
            "line 6: 2 fields, the header has 7");
  }

  @Test
  void shouldRefuseTheSameItemTwiceInOneFile() throws IOException {
    assertThat(
            errors(
                "twice.jsonl",
                "{\"itemId\": \"i1\", \"title\": \"One\"}\n{\"itemId\": \"i1\", \"title\": \"Two\"}\n"))
        .containsExactly("line 2: item i1 is also on line 1");
  }

  @Test
  void shouldRefuseUnknownFieldsAndColumns() throws IOException {
    assertThat(
            errors("typo.jsonl", "{\"itemId\": \"i1\", \"title\": \"One\", \"instock\": false}\n"))
        .singleElement()
        .asString()
        .startsWith("line 1: unknown field 'instock'");
    assertThat(errors("typo.csv", "itemId,title,colour\ni1,One,red\n"))
        .singleElement()
        .asString()
        .startsWith("line 1: unknown column 'colour'");
  }

  @Test
  void shouldReportBrokenJsonWithItsLine() throws IOException {
    assertThat(errors("broken.jsonl", "{\"itemId\": \"i1\", \"title\": \"One\"}\n{\"itemId\": \n"))
        .singleElement()
        .asString()
        .startsWith("line 2: not valid JSON");
    assertThat(errors("broken.json", "[\n{\"itemId\": \"i1\", \"title\": \"One\"},\n{oops}\n]"))
        .singleElement()
        .asString()
        .startsWith("line 3: not valid JSON");
  }

  @Test
  void shouldRefuseAnUnclosedQuoteAnEmptyFileAndAnUnknownFormat() throws IOException {
    assertThat(errors("quote.csv", "itemId,title\ni1,\"One\n"))
        .containsExactly("line 2: a quoted field is not closed");
    assertThat(errors("empty.jsonl", "\n\n")).containsExactly("line 1: no items in the file");
    assertThat(errors("items.xml", "<items/>"))
        .containsExactly("the file name must end in .csv, .json, .jsonl or .ndjson (its format)");
  }

  @Test
  void shouldListTheFirstFiftyErrorsAndCountTheRest() throws IOException {
    final StringBuilder text = new StringBuilder("itemId,title\n");
    for (int i = 0; i < 60; i++) {
      text.append("i").append(i).append(",\n");
    }
    final Path path = file("many.csv", text.toString());

    final InvalidCatalogException e =
        assertThrows(InvalidCatalogException.class, () -> CatalogFile.read(path));

    assertThat(e.errors()).hasSize(60);
    assertThat(e.getMessage())
        .contains("60 errors, nothing was written", "line 51: title is required", "... and 10 more")
        .doesNotContain("line 52:");
  }
}
