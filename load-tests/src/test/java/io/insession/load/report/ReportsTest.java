package io.insession.load.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.insession.load.measure.CpuUse;
import io.insession.load.measure.LatencySummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportsTest {

  private static final LatencySummary LATENCY = new LatencySummary(10, 5, 9, 12, 14, 15, 6);

  private static final CpuUse APP_CPU = new CpuUse(6.5, 0.65, 650.0);
  private static final CpuUse GENERATOR_CPU = new CpuUse(8.0, 0.8, 800.0);

  private static LoadReport report() {
    return report(4242L);
  }

  /** A two-step ramp; the second step's app CPU is unknown (the app exited, say). */
  private static LoadReport report(final Long appPid) {
    return new LoadReport(
        "ramp",
        "2026-11-23T00:00:00Z",
        "localhost:9092",
        "bundles/tiny",
        "test.txt",
        2000,
        2,
        appPid,
        3000,
        2990,
        1,
        4,
        1000,
        LATENCY,
        0,
        3,
        List.of(
            new StepReport(
                1000,
                10,
                1000,
                999,
                1000,
                999,
                1.5,
                2,
                3,
                LATENCY,
                true,
                "sustained",
                APP_CPU,
                GENERATOR_CPU),
            new StepReport(
                2000,
                10,
                2000,
                1500,
                2000,
                1500,
                0,
                500,
                480,
                LATENCY,
                false,
                "lists fall behind",
                null,
                new CpuUse(9.0, 0.9, 450.0))),
        12,
        Map.of("UNDECODABLE", 4L, "KEY_MISMATCH", 2L, "MISSING_ITEM", 6L));
  }

  @Test
  void shouldWriteEveryFigureToJson(@TempDir final Path dir) throws Exception {
    final Path file = dir.resolve("sub/report.json");
    Reports.writeJson(report(), file);
    final JsonNode json = new ObjectMapper().readTree(Files.readString(file));
    assertThat(json.get("mode").asText()).isEqualTo("ramp");
    assertThat(json.get("sustainableRate").asDouble()).isEqualTo(1000);
    assertThat(json.get("latency").get("p99Ms").asDouble()).isEqualTo(12);
    assertThat(json.get("latency").get("p999Ms").asDouble()).isEqualTo(14);
    assertThat(json.get("phases")).hasSize(2);
    assertThat(json.get("phases").get(1).get("verdict").asText()).isEqualTo("lists fall behind");
    assertThat(json.get("groupLagAtEnd").asLong()).isEqualTo(3);
    assertThat(json.get("availableProcessors").asInt()).isEqualTo(2);
    assertThat(json.get("appPid").asLong()).isEqualTo(4242);
    final JsonNode first = json.get("phases").get(0);
    assertThat(first.get("appCpu").get("cores").asDouble()).isEqualTo(0.65);
    assertThat(first.get("appCpu").get("microsPerEvent").asDouble()).isEqualTo(650);
    assertThat(first.get("appCpu").get("cpuSeconds").asDouble()).isEqualTo(6.5);
    assertThat(first.get("generatorCpu").get("cores").asDouble()).isEqualTo(0.8);
    assertThat(first.get("generatorCpu").get("microsPerEvent").asDouble()).isEqualTo(800);
    assertThat(json.get("phases").get(1).get("appCpu").isNull()).isTrue();
  }

  @Test
  void shouldWriteAnUnknownAppPidAsNull() {
    assertThat(Reports.toJson(report(null))).contains("\"appPid\" : null");
  }

  @Test
  void shouldReadBackWhatItWrote() throws Exception {
    assertThat(Reports.readLoadReport(Reports.toJson(report()))).isEqualTo(report());
  }

  @Test
  void shouldPrintOneRowPerPhaseAndTheTotals() {
    final String table = Reports.table(report());
    assertThat(table.lines().filter(l -> l.matches("\\s+\\d+ .*"))).hasSize(2);
    assertThat(table).contains("p99.9ms").contains("highest sustained rate: 1000 events/s");
    assertThat(table).contains("3000 events sent, 2990 lists matched");
    assertThat(table)
        .contains(
            "bad records (warm-up included): 12 sent, 12 dead letters"
                + " {KEY_MISMATCH=2, MISSING_ITEM=6, UNDECODABLE=4}");
  }

  @Test
  void shouldPrintTheCpuOfEachPhaseAndDashesWhenUnknown() {
    final String table = Reports.table(report());
    assertThat(table).contains("2 available processors; app CPU: pid 4242");
    assertThat(table.lines().filter(l -> l.contains("verdict")).findFirst().orElseThrow())
        .containsSubsequence("behindms", "app-cpu", "app-us/ev", "gen-cpu", "gen-us/ev", "verdict");
    assertThat(row(table, 1000)).containsSubsequence(" 0.65 ", " 650 ", " 0.80 ", " 800 ");
    assertThat(row(table, 2000)).containsSubsequence(" - ", " - ", " 0.90 ", " 450 ");
    assertThat(Reports.table(report(null)))
        .contains("app CPU: unknown (app started separately: pass --app-pid)");
  }

  private static String row(final String table, final int targetRate) {
    return table
        .lines()
        .filter(l -> l.matches("\\s+" + targetRate + " .*"))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void shouldPrintALookupReport() {
    final String table =
        Reports.table(
            new LookupReport("t", "http://127.0.0.1:1", 5, 2, 1.0, 100, 90, 10, 0, 100, LATENCY));
    assertThat(table).contains("GET/s").contains("127.0.0.1");
  }

  @Test
  void shouldSayWhyAPhaseWasNotSustained() {
    final Verdict verdict = Verdict.defaults();
    assertThat(verdict.failure(1000, 1000, 990, 100)).isNull();
    assertThat(verdict.failure(1000, 800, 800, 0)).startsWith("generator-bound");
    assertThat(verdict.failure(1000, 1000, 700, 0)).startsWith("lists fall behind");
    assertThat(verdict.failure(1000, 1000, 990, 5000)).startsWith("backlog");
  }
}
