package io.insession.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.insession.config.InSessionConfig;
import io.insession.data.Click;
import io.insession.data.SessionFileWriter;
import io.insession.data.TopicSessions;
import io.insession.deployment.Deployments;
import io.insession.evaluation.PromotionGate;
import io.insession.registry.ModelNotFoundException;
import io.insession.registry.ModelRef;
import io.insession.registry.ModelRegistry;
import io.insession.registry.ModelVersion;
import io.insession.registry.PublishOptions;
import io.insession.registry.PublishResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code insession models retrain}: the retraining loop in one command (docs/retraining.md). Export
 * a time range of the weblog topic, hold out its latest sessions, train a candidate with
 * model-exporter on the others, gate it against the current model on the held-out sessions and
 * publish it only when it passes; then, optionally, run a hook (a canary, a deploy).
 */
@Command(
    name = "retrain",
    sortOptions = false,
    description = {
      "Retrain from the weblog topic: export a time range -> hold out its latest sessions ->",
      "train a candidate with model-exporter -> promotion gate against the current model on",
      "the held-out sessions -> publish to the registry if it passes -> --then hook.",
      "Exit 0: published; 5: the gate failed, nothing published; 6: no model trained (empty",
      "range, too few sessions, Python or torch missing, the exporter failed); 7: published,",
      "but the --then hook failed."
    })
final class ModelsRetrainCommand implements Callable<Integer> {

  /** Exit code: no candidate was trained. */
  static final int EXIT_NOT_TRAINED = 6;

  /** Exit code: the candidate was published, but the {@code --then} hook failed. */
  static final int EXIT_HOOK_FAILED = 7;

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  @Spec CommandSpec spec;

  @Mixin RegistryOptions registry;

  @Mixin SessionRangeOptions range;

  // no mixinStandardHelpOptions: its --version would clash with the usage of models commands
  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  @Option(
      names = "--name",
      paramLabel = "NAME",
      description =
          "Publish the candidate under this model name (default: the name of --current when"
              + " that is a registry reference).")
  String name;

  @Option(
      names = "--current",
      paramLabel = "SOURCE",
      description =
          "The model to beat: NAME:VERSION, a bundle directory, bundle or popular (default: the"
              + " latest published version of --name, or popular when there is none).")
  String current;

  @Option(
      names = "--hparams",
      paramLabel = "FILE",
      description =
          "The exporter's recipe (model-exporter/hparams/*.json); without it the exporter tunes"
              + " itself within --tune-budget-minutes.")
  Path hparams;

  @Option(
      names = "--epochs",
      paramLabel = "N",
      description = "Override the recipe's epochs (needs --hparams).")
  Integer epochs;

  @Option(
      names = "--tune-budget-minutes",
      paramLabel = "MINUTES",
      description =
          "Without --hparams: the exporter's time for search and training (its default: 20).")
  Double tuneBudgetMinutes;

  @Option(
      names = "--device",
      paramLabel = "cpu|cuda",
      description = "Where the exporter trains (default: cpu).")
  String device;

  @Option(
      names = "--holdout",
      paramLabel = "FRACTION",
      description =
          "Share of the sessions, the latest, held out for evaluation and the gate (default:"
              + " insession.retrain.holdout, 0.1).")
  Double holdout;

  @Mixin GateRuleOptions gateRule;

  @Option(
      names = "--work-dir",
      paramLabel = "DIR",
      description =
          "Where the exported files and the candidate bundle go (default: a new temporary"
              + " directory); kept afterwards.")
  Path workDir;

  @Option(
      names = "--then",
      paramLabel = "COMMAND",
      description =
          "After publishing: a shell command (sh -c) with INSESSION_MODEL=NAME:VERSION,"
              + " INSESSION_MODEL_PARENT and INSESSION_MODEL_DIR in its environment, e.g. a"
              + " canary or a deploy.")
  String then;

  @Option(
      names = {"-q", "--quiet"},
      description = "No progress bars and no exporter log lines (failures still show them).")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    return ModelsCommand.run(spec, this::retrain);
  }

  private int retrain() throws Exception {
    final InSessionConfig config;
    try {
      config =
          registry.settings(
              holdout == null
                  ? Map.of()
                  : Map.of(InSessionConfig.RETRAIN_HOLDOUT, holdout.toString()));
    } catch (final ConfigException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    final PromotionGate.Rule rule = gateRule.rule();
    if (epochs != null && hparams == null) {
      throw new IllegalArgumentException(
          "--epochs needs --hparams (without it the exporter tunes)");
    }
    if (tuneBudgetMinutes != null && hparams != null) {
      throw new IllegalArgumentException("--tune-budget-minutes applies only without --hparams");
    }
    if (hparams != null && !Files.isRegularFile(hparams)) {
      throw new IllegalArgumentException("--hparams " + hparams + ": no such file");
    }
    final ModelRegistry models = registry.open(spec);
    final String modelName = modelName();
    final String currentSource = currentSource(models, modelName);
    final SessionRangeOptions.Range resolved = range.resolve(config, Instant.now());
    final PrintWriter out = spec.commandLine().getOut();
    final PrintWriter err = spec.commandLine().getErr();
    final ExporterProcess exporter = ExporterProcess.from(config);
    try {
      exporter.check();
    } catch (final ExporterProcess.ExporterException e) {
      err.println(spec.qualifiedName() + ": " + e.getMessage());
      err.flush();
      return EXIT_NOT_TRAINED;
    }

    // 1. export
    final TopicSessions.Read read;
    try {
      read = SessionRangeOptions.read(config, resolved, !quiet);
    } catch (final SessionRangeOptions.EmptyRangeException e) {
      err.println(spec.qualifiedName() + ": nothing to train on: " + e.getMessage());
      err.flush();
      return EXIT_NOT_TRAINED;
    } catch (final KafkaException e) {
      err.println(spec.qualifiedName() + ": cannot read " + resolved + ": " + e.getMessage());
      err.flush();
      return ModelsCommand.EXIT_IO;
    }
    out.printf(
        Locale.ROOT,
        "[1/5] export   %s: %,d records read%n        %s%n",
        resolved,
        read.records(),
        SessionRangeOptions.summary(read, null));
    out.flush();

    // 2. hold out the latest sessions
    final Map<String, List<Click>> train = new LinkedHashMap<>();
    final Map<String, List<Click>> test = new LinkedHashMap<>();
    if (!split(read.sessions(), config.getDouble(InSessionConfig.RETRAIN_HOLDOUT), train, test)) {
      err.printf(
          Locale.ROOT,
          "%s: nothing to train on: %,d sessions in %s are too few to hold out %s of them and"
              + " still train and evaluate (both parts need a session with two clicks)%n",
          spec.qualifiedName(),
          read.sessions().size(),
          resolved,
          config.getDouble(InSessionConfig.RETRAIN_HOLDOUT));
      err.flush();
      return EXIT_NOT_TRAINED;
    }
    final Path dir =
        workDir != null
            ? Files.createDirectories(workDir)
            : Files.createTempDirectory("insession-retrain-");
    final String stem =
        resolved.topic() + "-" + STAMP.format(resolved.from()) + "-" + STAMP.format(resolved.to());
    final Path trainFile = dir.resolve(stem + "-train.tsv");
    final Path testFile = dir.resolve(stem + "-holdout.tsv");
    final SessionFileWriter.Written trainWritten = SessionFileWriter.write(trainFile, train);
    final SessionFileWriter.Written testWritten = SessionFileWriter.write(testFile, test);
    out.printf(
        Locale.ROOT,
        "[2/5] split    train %,d sessions, %,d clicks -> %s%n"
            + "        held out %,d sessions, %,d clicks (the latest %.0f %%, starting %s) -> %s%n",
        trainWritten.sessions(),
        trainWritten.clicks(),
        trainFile,
        testWritten.sessions(),
        testWritten.clicks(),
        config.getDouble(InSessionConfig.RETRAIN_HOLDOUT) * 100,
        test.values().iterator().next().get(0).time(),
        testFile);
    out.flush();

    // 3. train
    final Path bundle = dir.resolve("candidate");
    final long started = System.nanoTime();
    try {
      exporter.exporter(exporterArgs(trainFile, testFile, bundle, modelName), quiet ? null : err);
    } catch (final ExporterProcess.ExporterException e) {
      err.println(spec.qualifiedName() + ": " + e.getMessage());
      err.flush();
      return EXIT_NOT_TRAINED;
    }
    final JsonNode metadata = new ObjectMapper().readTree(bundle.resolve("metadata.json").toFile());
    final String candidateRef =
        metadata.path("name").asText() + ":" + metadata.path("version").asText();
    final JsonNode metrics = metadata.path("metrics");
    out.printf(
        Locale.ROOT,
        "[3/5] train    %s in %d s -> %s%n"
            + "        model-exporter on the held-out sessions: Recall@20 %.4f, MRR@20 %.4f"
            + " (most-sold: %.4f, %.4f)%n",
        candidateRef,
        Duration.ofNanos(System.nanoTime() - started).toSeconds(),
        bundle,
        metrics.path("recall@20").asDouble(Double.NaN),
        metrics.path("mrr@20").asDouble(Double.NaN),
        metrics.path("pop_recall@20").asDouble(Double.NaN),
        metrics.path("pop_mrr@20").asDouble(Double.NaN));
    out.flush();

    // 4. gate against the current model, with the serving code, on the held-out sessions
    out.println("[4/5] gate     " + bundle + " against " + currentSource);
    final PromotionGate.Verdict verdict =
        new GateRunner(spec, registry, config, trainFile, !quiet)
            .verdict(
                bundle.toString(), currentSource, test, testFile.getFileName().toString(), rule);
    ModelsGateCommand.print(out, verdict);
    if (!verdict.passed()) {
      err.println(
          spec.qualifiedName()
              + ": "
              + candidateRef
              + " failed the promotion gate against "
              + currentSource
              + "; nothing published (the candidate stays in "
              + bundle
              + ")");
      err.flush();
      return ModelsGateCommand.EXIT_FAILED;
    }

    // 5. publish
    PublishOptions options = PublishOptions.defaults();
    final Optional<ModelRef> parent = Deployments.registryRef(currentSource);
    if (parent.isPresent()) {
      options = options.withParent(parent.get().toString());
    }
    final PublishResult published = models.publish(bundle, options);
    final ModelVersion model = published.model();
    out.println(
        "[5/5] publish  "
            + (published.created() ? "published " : "already published ")
            + model.ref()
            + parent.map(p -> " (parent " + p + ")").orElse("")
            + " at "
            + model.location());
    out.flush();
    if (then == null) {
      out.println(
          "Next: start a canary or deploy it, e.g. ./insession models deploy --variant gru="
              + model.ref()
              + ":10 ... (or pass --then)");
      out.flush();
      return 0;
    }
    return hook(model, parent, out, err);
  }

  private int hook(
      final ModelVersion model,
      final Optional<ModelRef> parent,
      final PrintWriter out,
      final PrintWriter err)
      throws IOException, InterruptedException {
    out.println("then     " + then);
    out.flush();
    final ProcessBuilder builder = new ProcessBuilder("sh", "-c", then).redirectErrorStream(true);
    builder.environment().put("INSESSION_MODEL", model.ref().toString());
    builder.environment().put("INSESSION_MODEL_PARENT", parent.map(ModelRef::toString).orElse(""));
    builder.environment().put("INSESSION_MODEL_DIR", model.location().toString());
    final Process process = builder.start();
    try (BufferedReader lines =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        out.println("  then| " + line);
      }
    }
    final int code = process.waitFor();
    out.flush();
    if (code != 0) {
      err.println(
          spec.qualifiedName()
              + ": "
              + model.ref()
              + " is published, but the --then command failed with exit code "
              + code);
      err.flush();
      return EXIT_HOOK_FAILED;
    }
    return 0;
  }

  private List<String> exporterArgs(
      final Path trainFile, final Path testFile, final Path bundle, final String modelName) {
    final List<String> args = new ArrayList<>();
    args.addAll(
        List.of(
            "train",
            "--train",
            trainFile.toAbsolutePath().toString(),
            "--test",
            testFile.toAbsolutePath().toString(),
            "--out",
            bundle.toAbsolutePath().toString(),
            "--name",
            modelName));
    if (hparams != null) {
      args.addAll(List.of("--hparams", hparams.toAbsolutePath().toString()));
    }
    if (epochs != null) {
      args.addAll(List.of("--epochs", epochs.toString()));
    }
    if (tuneBudgetMinutes != null) {
      args.addAll(List.of("--tune-budget-minutes", tuneBudgetMinutes.toString()));
    }
    if (device != null) {
      args.addAll(List.of("--device", device));
    }
    return args;
  }

  private String modelName() {
    if (name != null) {
      return ModelRef.checkPart("model name", name);
    }
    final Optional<ModelRef> ref =
        current == null ? Optional.empty() : Deployments.registryRef(current);
    if (ref.isEmpty()) {
      throw new ParameterException(
          spec.commandLine(),
          "--name is needed (the model name to publish under), unless --current is a registry"
              + " reference NAME:VERSION");
    }
    return ref.get().name();
  }

  /** {@code --current}, else the latest published version of the name, else popular. */
  private String currentSource(final ModelRegistry models, final String modelName) {
    if (current != null) {
      return current;
    }
    try {
      return models.latest(modelName).ref().toString();
    } catch (final ModelNotFoundException e) {
      return "popular";
    }
  }

  /**
   * Splits {@code sessions} (ordered by start) into the earlier ones ({@code train}) and the latest
   * {@code fraction} ({@code test}, at least one); false when either part would hold no session
   * with two clicks (nothing to learn or to predict).
   */
  static boolean split(
      final Map<String, List<Click>> sessions,
      final double fraction,
      final Map<String, List<Click>> train,
      final Map<String, List<Click>> test) {
    final int held = Math.max(1, (int) Math.round(sessions.size() * fraction));
    int index = 0;
    for (final Map.Entry<String, List<Click>> session : sessions.entrySet()) {
      (index++ < sessions.size() - held ? train : test).put(session.getKey(), session.getValue());
    }
    return train.values().stream().anyMatch(s -> s.size() > 1)
        && test.values().stream().anyMatch(s -> s.size() > 1);
  }
}
