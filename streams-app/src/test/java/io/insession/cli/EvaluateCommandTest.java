package io.insession.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.insession.testing.TestModels;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code insession evaluate} on a real test slice, the tiny GRU bundle and trained baselines. */
class EvaluateCommandTest {

  @TempDir Path dir;

  private static Path resource(final String name) throws URISyntaxException {
    return Path.of(EvaluateCommandTest.class.getClassLoader().getResource(name).toURI());
  }

  @Test
  void shouldReportEveryModelSideBySideAsJson() throws Exception {
    final Path slice = resource("evaluation/yoochoose-100k-test-head200.tsv");
    final Path json = dir.resolve("report.json");

    final int code =
        Main.execute(
            "evaluate",
            "--test=" + slice,
            "--train=" + slice,
            "--baselines=pop,item-knn",
            "--bundle=" + TestModels.tinyBundleDir(),
            "--cutoffs=10,20",
            "--exclude-seen=off,last:2,all",
            "--quiet",
            "--json=" + json);

    assertThat(code).isZero();
    final JsonNode report = new ObjectMapper().readTree(json.toFile()).get("offline");
    assertThat(report.get("cutoffs")).hasSize(2);
    assertThat(report.get("dataset").get("repeatTargets").asLong()).isPositive();
    assertThat(report.get("models"))
        .extracting(m -> m.get("name").asText())
        .containsExactly("gru4rec-tiny", "pop", "item-knn");
    for (final JsonNode model : report.get("models")) {
      final JsonNode at20 = model.get("protocol").get(1);
      assertThat(at20.get("k").asInt()).isEqualTo(20);
      assertThat(at20.get("recall").asDouble()).isBetween(0.0, 1.0);
      assertThat(model.get("repeat")).hasSize(2);
      assertThat(model.get("explore")).hasSize(2);
      assertThat(model.get("served"))
          .extracting(s -> s.get("excludeSeen").asText())
          .containsExactly("off", "last:2", "all");
      // every repeat target is a miss once every seen item is dropped
      assertThat(model.get("served").get(2).get("repeat").get(1).get("hits").asLong()).isZero();
    }
  }

  @Test
  void shouldRefuseToRunWithoutAnythingToEvaluate() throws Exception {
    final Path slice = resource("evaluation/yoochoose-100k-test-head200.tsv");

    assertThat(Main.execute("evaluate", "--test=" + slice, "--quiet")).isEqualTo(2);
  }
}
