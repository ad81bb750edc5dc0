package io.insession.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.insession.demo.DemoBundle;
import io.insession.testing.TestModels;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code insession demo --exit-after-replay} for real: its own in-process KRaft broker, the
 * topology, the lookup API and a replay; exit code 0 only when every replayed event got its list.
 */
class DemoCommandIT {

  private static final int LONG_SESSIONS = 12;
  private static final int EXPERIMENT_SESSIONS = 80;

  @Test
  void shouldReplaySampleSessionsAndExitOnceEveryEventHasItsList() {
    final String output =
        demo(
            "--exit-after-replay",
            "--kafka-port=0",
            "--port=0",
            "--rate=200",
            "--sessions=25",
            "--bundle=" + TestModels.tinyBundleDir());

    assertThat(output).contains("InSession demo ready").contains("session ").contains("viewed");
    assertThat(output).containsPattern("Replayed (\\d+) events\\. \\1 lists received");
  }

  @Test
  void shouldShowAnItemSellingOutAndANewItemRecommendedWithASyntheticCatalogue() {
    final String output =
        demo(
            "--catalog",
            "--exit-after-replay",
            "--kafka-port=0",
            "--port=0",
            "--rate=100",
            "--sessions=40",
            "--bundle=" + TestModels.tinyBundleDir());

    assertThat(output).containsPattern("Loaded a SYNTHETIC catalogue of \\d+ items");
    assertThat(output)
        .contains("── Sold out: ")
        .contains("── New item listed: synthetic-new-item-1");
    final Matcher summary =
        Pattern.compile(
                "Catalogue \\(SYNTHETIC\\): (\\S+) sold out halfway: in (\\d+) lists before, (\\d+)"
                    + " after\\.\\R"
                    + "New item synthetic-new-item-1 \\(not in the model\\) listed halfway: in (\\d+)"
                    + " lists after, best rank (\\d+); the session that viewed it got \\[(.+)\\]\\.")
            .matcher(output);
    assertThat(summary.find()).as(output).isTrue();
    assertThat(Integer.parseInt(summary.group(2)))
        .as("the sold-out item was recommended")
        .isPositive();
    assertThat(summary.group(3)).as("and never again once sold out").isEqualTo("0");
    assertThat(Integer.parseInt(summary.group(4))).as("lists with the new item").isPositive();
    assertThat(summary.group(6)).doesNotContain("synthetic-new-item-1", summary.group(1));
    assertThat(output).containsPattern("Replayed (\\d+) events\\. \\1 lists received");
  }

  @Test
  void shouldRollOutANewVersionHalfwayWithEveryEventListedAndSessionsKeptWarm(
      @TempDir final Path dir) throws Exception {
    final String version = bundleVersion();
    final String next = version + "-rollout";
    final String output =
        demo(
            "--rollout",
            "--exit-after-replay",
            "--kafka-port=0",
            "--port=0",
            // the swap takes 0.2-0.45 s on a loaded 2-core machine, the second half of the replay
            // 4.8 s at this rate; on a slower one the demo holds its last events until it lands
            "--rate=15",
            "--data=" + longSessions(dir.resolve("sessions.tsv")),
            "--bundle=" + TestModels.tinyBundleDir());

    assertThat(output).contains("Roll-out: published").contains("── Deployed ");
    assertThat(output).contains("── Now serving default " + next);
    final Matcher replayed =
        Pattern.compile("Replayed (\\d+) events\\. (\\d+) lists received").matcher(output);
    assertThat(replayed.find()).as(output).isTrue();
    final int events = Integer.parseInt(replayed.group(1));
    assertThat(replayed.group(2))
        .as("every replayed event has its list")
        .isEqualTo(replayed.group(1));
    // each list line names its variant and version: the old version's, then the new one's
    final List<String> lines = output.lines().filter(l -> l.startsWith("session ")).toList();
    assertThat(lines).hasSize(events);
    final long before = lines.stream().filter(l -> l.endsWith(" " + version + "]")).count();
    final long after = lines.stream().filter(l -> l.endsWith(" " + next + "]")).count();
    assertThat(before).isPositive();
    assertThat(after).isPositive();
    assertThat(before + after).isEqualTo(events);
    final Matcher summary =
        Pattern.compile(
                "Roll-out to \\Q"
                    + next
                    + "\\E: lists (\\d+) of \\Q"
                    + version
                    + "\\E, (\\d+) of \\Q"
                    + next
                    + "\\E; (\\d+) sessions re-encoded .*, 0 went back to an older version\\.")
            .matcher(output);
    assertThat(summary.find()).as(output).isTrue();
    assertThat(Long.parseLong(summary.group(1))).isEqualTo(before);
    assertThat(Long.parseLong(summary.group(2))).isEqualTo(after);
    assertThat(Integer.parseInt(summary.group(3))).as("sessions kept warm").isPositive();
    assertThat(output).containsPattern("Roll-out figures: deploy to first list \\d+ ms");
    assertThat(output)
        .containsPattern(
            "Re-encoding cost on gru4rec-tiny \\Q"
                + next
                + "\\E \\("
                + LONG_SESSIONS
                + " replayed sessions, "
                + LONG_SESSIONS
                + ".0 items each");
  }

  @Test
  void shouldRunAnExperimentWithSimulatedShoppersWhereTheGruBeatsThePopularControl() {
    final String output =
        demo(
            "--experiment",
            "--exit-after-replay",
            "--kafka-port=0",
            "--port=0",
            "--rate=200",
            "--sessions=" + EXPERIMENT_SESSIONS,
            "--seed=7");

    assertThat(output)
        .contains("Experiment demo-experiment: variants [control:popular:50, gru:bundle:50]")
        .contains("SIMULATED shopper, session ");
    final Matcher replayed =
        Pattern.compile("Replayed (\\d+) events\\. (\\d+) lists received").matcher(output);
    assertThat(replayed.find()).as(output).isTrue();
    assertThat(replayed.group(2)).as("every event has its list").isEqualTo(replayed.group(1));
    final int marker = output.indexOf("── Final KPIs: SIMULATED shoppers");
    assertThat(marker).as(output).isNotNegative();
    final String last = output.substring(marker);
    assertThat(last).contains("Experiment demo-experiment, since it started");
    // the variant lines: sessions, impressions, clicks, buyers, orders, revenue
    final Map<String, long[]> counts = new TreeMap<>();
    final Matcher variant =
        Pattern.compile("(?m)^  (control|gru) +(\\d+) +(\\d+) +(\\d+) +(\\d+) +(\\d+) +([0-9.]+)$")
            .matcher(last);
    while (variant.find()) {
      counts.put(
          variant.group(1),
          new long[] {Long.parseLong(variant.group(2)), Long.parseLong(variant.group(3))});
    }
    assertThat(counts).as(last).containsOnlyKeys("control", "gru");
    assertThat(counts.values().stream().mapToLong(c -> c[0]).sum())
        .as("every replayed session counted once")
        .isEqualTo(EXPERIMENT_SESSIONS);
    assertThat(counts.values().stream().mapToLong(c -> c[1]).sum())
        .as("every list counted as an impression")
        .isEqualTo(Long.parseLong(replayed.group(2)));
    final Map<String, Double> ctr = new TreeMap<>();
    final Matcher line =
        Pattern.compile("(?m)^  CTR +(control|gru) +([0-9.]+) +\\[([0-9.]+), ([0-9.]+)\\]")
            .matcher(last);
    while (line.find()) {
      ctr.put(line.group(1), Double.parseDouble(line.group(2)));
      assertThat(Double.parseDouble(line.group(3)))
          .isLessThanOrEqualTo(Double.parseDouble(line.group(2)));
      assertThat(Double.parseDouble(line.group(4)))
          .isGreaterThanOrEqualTo(Double.parseDouble(line.group(2)));
    }
    assertThat(ctr).as(last).containsOnlyKeys("control", "gru");
    // the shoppers click what they want, and the GRU shows it more often than the popular items
    assertThat(ctr.get("gru")).as(last).isGreaterThan(ctr.get("control"));
    assertThat(last)
        .containsPattern("(?m)^  CTR +gru +[0-9.]+ +\\[[0-9., ]+\\] +\\+[0-9.]+ %")
        .containsPattern("SIMULATED shoppers, variant control: looked at \\d+ lists")
        .containsPattern("SIMULATED shoppers, variant gru: looked at \\d+ lists")
        .contains("gru against control: CTR +");
  }

  /**
   * {@value #LONG_SESSIONS} sessions of {@value #LONG_SESSIONS} items of the sample, without times:
   * replayed round-robin, each session has events on both sides of the roll-out.
   */
  private static Path longSessions(final Path file) throws Exception {
    final List<String> items;
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(DemoBundle.sessions(), StandardCharsets.UTF_8))) {
      items =
          in.lines()
              .skip(1)
              .map(line -> line.split("\t")[1])
              .distinct()
              .limit((long) LONG_SESSIONS * LONG_SESSIONS)
              .toList();
    }
    final List<String> lines = new ArrayList<>(List.of("SessionId\tItemId\tPos"));
    for (int i = 0; i < items.size(); i++) {
      lines.add("s" + i / LONG_SESSIONS + "\t" + items.get(i) + "\t" + i % LONG_SESSIONS);
    }
    return Files.write(file, lines);
  }

  private static String bundleVersion() throws Exception {
    return new ObjectMapper()
        .readTree(TestModels.tinyBundleDir().resolve("metadata.json").toFile())
        .path("version")
        .asText();
  }

  /** Runs {@code insession demo} with {@code args}; returns its output after checking exit 0. */
  private static String demo(final String... args) {
    final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    final PrintStream original = System.out;
    final int code;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      final String[] command = new String[args.length + 1];
      command[0] = "demo";
      System.arraycopy(args, 0, command, 1, args.length);
      code = Main.execute(command);
    } finally {
      System.setOut(original);
    }
    final String output = captured.toString(StandardCharsets.UTF_8);
    assertThat(code).as(output).isZero();
    return output;
  }
}
