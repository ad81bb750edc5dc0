package io.insession.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.insession.config.InSessionConfig;
import io.insession.experiments.ExperimentBoard;
import io.insession.experiments.ExperimentFollower;
import io.insession.experiments.ExperimentJson;
import io.insession.experiments.KpiTable;
import io.insession.kafka.TopicSetup;
import io.insession.schemas.ExperimentKpis;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code insession experiments show [--id ID]}: reads the experiment KPIs topic to its end and
 * prints each variant's counts and KPIs with their intervals and lifts, since the experiment
 * started and for its latest windows.
 */
@Command(
    name = "show",
    mixinStandardHelpOptions = true,
    description = {
      "Each variant's sessions, impressions, clicks, orders and revenue, and its KPIs",
      "(CTR, add-to-cart rate, conversion rate, average order value, revenue per session)",
      "with their confidence intervals and the lift over the control, since the experiment",
      "started and for its latest windows."
    })
final class ExperimentsShowCommand implements Callable<Integer> {

  static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(30);

  @Spec CommandSpec spec;

  @Mixin ConfigOptions options;

  @Option(
      names = "--id",
      paramLabel = "EXPERIMENT",
      description = "The experiment (its variant set's salt); default: every experiment.")
  String id;

  @Option(
      names = "--windows",
      paramLabel = "N",
      defaultValue = "1",
      description = "How many of the latest windows to print besides the total (default: 1).")
  int windows;

  @Option(names = "--json", description = "Print the JSON of GET /v1/experiments/{id} instead.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (windows < 0) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--windows must be 0 or more, got " + windows);
    }
    final InSessionConfig config = options.load(Map.of());
    final PrintWriter out = spec.commandLine().getOut();
    final PrintWriter err = spec.commandLine().getErr();
    final ExperimentBoard board;
    try {
      TopicSetup.awaitReachable(config);
      board = ExperimentFollower.readAll(config, KAFKA_TIMEOUT);
    } catch (KafkaException e) {
      err.println(spec.qualifiedName() + ": " + e.getMessage());
      err.flush();
      return ExperimentsCommand.EXIT_KAFKA;
    }
    final List<String> ids = id != null ? List.of(id) : List.copyOf(board.ids());
    final List<String> known = ids.stream().filter(board.ids()::contains).toList();
    if (known.isEmpty()) {
      err.println(
          id != null
              ? "No KPIs for experiment " + id + " (yet); known: " + board.ids()
              : "No experiment KPIs yet on "
                  + config.getString(InSessionConfig.EXPERIMENTS_TOPIC)
                  + " (the stream writes them once sessions were shown lists).");
      err.flush();
      return ExperimentsCommand.EXIT_UNKNOWN;
    }
    final ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    for (final String experimentId : known) {
      final ExperimentKpis total = board.sinceStart(experimentId).orElse(null);
      final List<ExperimentKpis> latest =
          board.windows(experimentId).stream().limit(windows).toList();
      if (json) {
        out.println(
            mapper.writeValueAsString(ExperimentJson.of(mapper, experimentId, total, latest)));
        continue;
      }
      if (total != null) {
        out.print(KpiTable.format(total, "since it started"));
      }
      for (final ExperimentKpis window : latest) {
        out.print(
            KpiTable.format(
                window, "window " + window.getWindowStart() + " - " + window.getWindowEnd()));
      }
    }
    out.flush();
    return 0;
  }
}
