package io.insession.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.insession.testing.TestModels;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code insession models gate} on a real replay: the tiny GRU bundle against the most-sold control
 * over 200 clicks of the yoochoose test day, through the production scoring code.
 */
class ModelsGateCommandTest {

  @TempDir Path dir;

  private static Path slice() throws URISyntaxException {
    return Path.of(
        ModelsGateCommandTest.class
            .getClassLoader()
            .getResource("evaluation/yoochoose-100k-test-head200.tsv")
            .toURI());
  }

  private static CliRun gate(final String candidate, final String current, final String... extra)
      throws URISyntaxException {
    final List<String> args =
        new ArrayList<>(
            List.of(
                "models",
                "gate",
                "-q",
                "--test=" + slice(),
                "--candidate=" + candidate,
                "--current=" + current));
    args.addAll(List.of(extra));
    return CliRun.execute(args);
  }

  @Test
  void shouldPassTheGruAgainstTheMostSoldControl() throws Exception {
    final Path json = dir.resolve("verdict.json");
    final CliRun run =
        gate(TestModels.tinyBundleDir().toString(), "popular", "--json=" + json.toString());

    assertThat(run.code()).as(run.err() + run.out()).isZero();
    assertThat(run.out())
        .contains("Promotion gate: candidate " + TestModels.tinyBundleDir())
        .contains("against current popular")
        .contains("Recall@20")
        .contains("MRR@20")
        .contains("PASSED");
    final JsonNode verdict = new ObjectMapper().readTree(json.toFile());
    assertThat(verdict.get("passed").asBoolean()).isTrue();
    final JsonNode recall = verdict.get("verdict").get("comparisons").get(0);
    assertThat(recall.get("candidate").asDouble()).isGreaterThan(recall.get("current").asDouble());
    assertThat(recall.get("lowerBound").asDouble()).isGreaterThan(0);
  }

  @Test
  void shouldFailTheMostSoldControlAgainstTheGruWithExitCode5() throws Exception {
    final CliRun run = gate("popular", TestModels.tinyBundleDir().toString());

    assertThat(run.code()).as(run.err()).isEqualTo(ModelsGateCommand.EXIT_FAILED);
    assertThat(run.out()).contains("FAIL").contains("FAILED: keep the current model");
  }

  @Test
  void shouldPassAModelAgainstItselfAndNameABadSource() throws IOException, URISyntaxException {
    final String tiny = TestModels.tinyBundleDir().toString();
    final CliRun same = gate(tiny, tiny, "--margin=0");
    assertThat(same.code()).as(same.err()).isZero();

    final CliRun bad = gate(dir.resolve("missing").toString(), tiny);
    assertThat(bad.code()).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(bad.err()).contains("is neither a registry reference");

    final CliRun both = gate("popular", "popular");
    assertThat(both.code()).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(both.err()).contains("popular needs a bundle on the other side");
  }
}
