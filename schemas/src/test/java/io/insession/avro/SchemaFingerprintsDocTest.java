package io.insession.avro;

import static org.assertj.core.api.Assertions.assertThat;

import io.insession.schemas.CatalogItem;
import io.insession.schemas.EventType;
import io.insession.schemas.ExperimentKpis;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.SessionState;
import io.insession.schemas.TrendingCount;
import io.insession.schemas.TrendingList;
import io.insession.schemas.WeblogEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * The fingerprints and canonical forms in {@code docs/wire-format.md}, for client authors in other
 * languages, are the ones Java computes: the doc cannot drift from the schemas.
 */
class SchemaFingerprintsDocTest {

  private static final Path DOC = Path.of("../docs/wire-format.md");
  private static final List<Class<? extends SpecificRecord>> RECORDS =
      List.of(
          WeblogEvent.class,
          RecommendationList.class,
          SessionState.class,
          CatalogItem.class,
          TrendingList.class,
          TrendingCount.class,
          ExperimentKpis.class);
  private static final Pattern ROW =
      Pattern.compile(
          "^\\| `([\\w.]+)` \\| (current|v\\d+) \\| `0x([0-9A-F]{16})` \\| `(-?\\d+)` \\|"
              + " `C3 01((?: [0-9A-F]{2}){8})` \\|",
          Pattern.MULTILINE);

  /** One row of the doc's fingerprint table. */
  private record Row(String record, String version, String hex, String signed, String header) {}

  @Test
  void shouldListEverySchemaVersionWithTheFingerprintJavaComputes() throws IOException {
    final List<Row> expected = new ArrayList<>();
    for (final Class<? extends SpecificRecord> type : RECORDS) {
      final List<Schema> known = AvroSingleObjectSerde.forType(type).knownSchemas();
      for (int i = 0; i < known.size(); i++) {
        final Schema schema = known.get(i);
        final long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        expected.add(
            new Row(
                schema.getFullName(),
                i == 0 ? "current" : "v" + i,
                String.format(Locale.ROOT, "%016X", fingerprint),
                Long.toString(fingerprint),
                littleEndian(fingerprint)));
      }
    }
    final List<Row> documented = new ArrayList<>();
    final Matcher matcher = ROW.matcher(Files.readString(DOC, StandardCharsets.UTF_8));
    while (matcher.find()) {
      documented.add(
          new Row(
              matcher.group(1),
              matcher.group(2),
              matcher.group(3),
              matcher.group(4),
              matcher.group(5)));
    }
    assertThat(documented).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void shouldShowTheParsingCanonicalFormOfEveryCurrentSchema() throws IOException {
    final String doc = Files.readString(DOC, StandardCharsets.UTF_8);
    for (final Class<? extends SpecificRecord> type : RECORDS) {
      final Schema schema = AvroSingleObjectSerde.forType(type).knownSchemas().get(0);
      assertThat(doc)
          .as("canonical form of %s", schema.getFullName())
          .contains("```json\n" + SchemaNormalization.toParsingForm(schema) + "\n```");
    }
  }

  @Test
  void shouldBeWhatTheSerdeWritesInFrontOfEachValue() {
    final WeblogEvent event =
        WeblogEvent.newBuilder()
            .setEventId("e")
            .setSessionId("s")
            .setEventType(EventType.PAGE_VIEW)
            .setEventTime(Instant.EPOCH)
            .build();
    final byte[] bytes = AvroSingleObjectSerde.forType(WeblogEvent.class).serialize("t", event);
    final StringBuilder header = new StringBuilder();
    for (int i = 2; i < 10; i++) {
      header.append(String.format(Locale.ROOT, " %02X", bytes[i]));
    }
    assertThat(header.toString())
        .isEqualTo(
            littleEndian(SchemaNormalization.parsingFingerprint64(WeblogEvent.getClassSchema())));
  }

  private static String littleEndian(final long fingerprint) {
    final StringBuilder bytes = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      bytes.append(String.format(Locale.ROOT, " %02X", (fingerprint >>> (8 * i)) & 0xFF));
    }
    return bytes.toString();
  }
}
