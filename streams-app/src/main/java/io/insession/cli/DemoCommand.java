package io.insession.cli;

import io.insession.demo.DemoOptions;
import io.insession.demo.DemoRunner;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code insession demo}: the whole loop in one process, with sample data. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run the whole loop in one process with sample data, until Ctrl-C.",
      "A Kafka broker (KRaft) in this process, the demo model, the topology, the lookup API,",
      "and real held-out sessions replayed as live events, each list shown as it arrives."
    })
final class DemoCommand implements Callable<Integer> {

  @Mixin ConfigOptions options;

  @Option(
      names = "--kafka-port",
      defaultValue = "9092",
      description =
          "Port of the embedded broker; its controller uses the next; 0 = any free ports"
              + " (default: ${DEFAULT-VALUE}).")
  int kafkaPort;

  @Option(
      names = {"-p", "--port"},
      defaultValue = "8080",
      description =
          "Port of the lookup API; a free one is used if taken (default: ${DEFAULT-VALUE}).")
  int apiPort;

  @Option(
      names = "--rate",
      defaultValue = "25",
      description = "Replayed events per second (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(
      names = "--sessions",
      defaultValue = "0",
      description = "Replay only the first N sessions (default: all 300).")
  int sessions;

  @Option(
      names = "--exit-after-replay",
      description = "Stop once every replayed event has its list (exit 1 if any is missing).")
  boolean exitAfterReplay;

  @Option(
      names = {"-q", "--quiet"},
      description = "Do not print each list, only the summary.")
  boolean quiet;

  @Option(names = "--bundle", paramLabel = "DIR", description = "Serve this model bundle instead.")
  Path bundle;

  @Option(
      names = "--data",
      paramLabel = "FILE",
      description = "Replay this session file (formats of the public data sets) instead.")
  Path data;

  @Option(
      names = "--rollout",
      description = {
        "Halfway through the replay, publish the bundle again under a new version into a",
        "temporary registry and deploy it (models deploy, hot swap): lists switch to the new",
        "version with no gap, sessions stay warm; a summary gives the roll-out figures."
      })
  boolean rollout;

  @Option(
      names = "--catalog",
      description = {
        "Load a SYNTHETIC catalogue of the model's items (labelled synthetic) and serve the rule",
        "chain content,available,exclude-seen: halfway through the replay the item recommended",
        "most sells out (it leaves the lists) and a new item the model does not know is listed",
        "(the content route recommends it); a summary says what happened."
      })
  boolean catalog;

  @Option(
      names = "--experiment",
      description = {
        "An A/B experiment with SIMULATED shoppers: serve the model (variant gru) and the",
        "popular control (variant control), 50/50, and replay the sessions with simulated",
        "visitors who click, add to cart and buy from the lists they are shown (labelled",
        "SIMULATED); print the live KPIs per variant with their intervals and the lift as they",
        "move, and a summary at the end."
      })
  boolean experiment;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Seed of the simulated shoppers' decisions (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() throws Exception {
    return new DemoRunner(
            new DemoOptions(
                kafkaPort,
                apiPort,
                rate,
                sessions,
                exitAfterReplay,
                quiet,
                bundle,
                data,
                rollout,
                catalog,
                experiment,
                seed),
            options.load(Map.of()).settings(),
            System.out)
        .run();
  }
}
