package io.insession.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.insession.config.ExcludeSeenSpec;
import io.insession.config.InSessionConfig;
import io.insession.data.Click;
import io.insession.data.SessionFiles;
import io.insession.evaluation.Catalog;
import io.insession.evaluation.Evaluation;
import io.insession.evaluation.EvaluationOptions;
import io.insession.evaluation.EvaluationReport;
import io.insession.evaluation.NamedScorer;
import io.insession.evaluation.ReportTable;
import io.insession.evaluation.TopologyReplay;
import io.insession.kafka.EmbeddedKafkaBroker;
import io.insession.kafka.Topics;
import io.insession.runtime.RecommenderService;
import io.insession.runtime.Scoring;
import io.insession.scoring.ModelBundle;
import io.insession.scoring.OnnxGruScorer;
import io.insession.scoring.OnnxRuntime;
import io.insession.scoring.ScorerVariants;
import io.insession.scoring.SessionScorer;
import io.insession.scoring.baseline.Baselines;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code insession evaluate}: next-item accuracy of GRU bundles and baselines on test sessions,
 * through the production scoring code, side by side.
 */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Compare GRU bundles and baselines on test sessions, side by side.",
      "Offline evaluation (next-item protocol: every click of every test session, full catalog,",
      "conservative ties) of GRU bundles and baselines through the production scoring code.",
      "Reports Recall@K, MRR@K, coverage, popularity and throughput, over all predictions and",
      "apart on repeat targets (the item is already in the session) and explore targets, and on",
      "the served lists under each seen-items option of --exclude-seen. --online also replays",
      "the sessions through the real topology."
    })
final class EvaluateCommand implements Callable<Integer> {

  @Mixin TestSessionsOptions test;

  @Option(
      names = "--train",
      paramLabel = "FILE",
      description = "Training sessions: the catalog, and what the baselines learn from.")
  Path train;

  @Option(names = "--bundle", paramLabel = "DIR", description = "A GRU model bundle. Repeatable.")
  List<Path> bundles = new ArrayList<>();

  @Option(
      names = "--baselines",
      split = ",",
      paramLabel = "NAME",
      description =
          "Baselines to run (needs --train): pop, s-pop, item-knn, sknn, v-sknn (default: all"
              + " five when --train is given).")
  List<String> baselines;

  @Option(
      names = "--cutoffs",
      split = ",",
      defaultValue = "20",
      paramLabel = "K",
      description = "Cut-offs, ascending (default: ${DEFAULT-VALUE}).")
  List<Integer> cutoffs;

  @Option(
      names = "--exclude-seen",
      split = ",",
      paramLabel = "OPTION",
      description =
          "Seen-items options to measure the served lists under, comma-separated: all, off,"
              + " bought, last:N (default: insession.rules.exclude.seen as configured). The test"
              + " files have no purchases, so bought serves what off serves.")
  List<String> excludeSeen;

  @Option(
      names = "--online",
      description =
          "Also replay the test sessions through the real topology on an in-process broker for"
              + " each bundle, and score the lists it emits (rules as configured).")
  boolean online;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON.")
  Path json;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Evaluation threads (default: one per core).")
  Integer threads;

  @Option(
      names = {"-q", "--quiet"},
      description = "Only the report and errors: no progress bar, no INFO or WARN log lines.")
  boolean quiet;

  @Mixin ConfigOptions options;

  @Override
  public Integer call() throws Exception {
    if (!quiet) {
      return evaluate();
    }
    final QuietLogging quietLogs = QuietLogging.onlyErrors();
    try {
      return evaluate();
    } finally {
      quietLogs.restore();
    }
  }

  private int evaluate() throws Exception {
    final PrintStream out = System.out;
    final InSessionConfig config = options.load(Map.of());
    final Map<String, List<Click>> testSessions = test.read(config);
    final Map<String, List<Click>> trainSessions =
        train == null ? Map.of() : SessionFiles.readSessions(train);
    final List<NamedScorer> scorers = new ArrayList<>();
    final OnnxRuntime runtime = Scoring.runtime(config);
    try {
      for (final Path bundle : bundles) {
        final OnnxGruScorer scorer = OnnxGruScorer.create(ModelBundle.load(bundle), runtime);
        scorers.add(new NamedScorer(scorer.model().name(), scorer));
        Scoring.requireRememberedItems(scorer, config);
      }
      scorers.addAll(baselines(trainSessions));
      if (scorers.isEmpty()) {
        out.println("Nothing to evaluate: give --bundle DIR and/or --train FILE for baselines.");
        return 2;
      }
      final Catalog catalog = catalog(trainSessions, scorers);
      EvaluationOptions evaluation =
          EvaluationOptions.defaults()
              .withDataset(test.name())
              .withCutoffs(cutoffs)
              .withMaxRecentItems(config.getInt(InSessionConfig.SESSION_RECENT_ITEMS))
              .withExcludeSeen(excludeSeenOptions(config))
              .withProgress(!quiet);
      if (threads != null) {
        evaluation = evaluation.withThreads(threads);
      }
      final EvaluationReport report = Evaluation.run(scorers, catalog, testSessions, evaluation);
      out.println(ReportTable.render(report));
      final Map<String, Object> document = new LinkedHashMap<>();
      document.put("offline", report);
      if (online) {
        final Map<String, Object> onlineResults = new LinkedHashMap<>();
        for (final NamedScorer scorer : scorers) {
          if (scorer.scorer() instanceof OnnxGruScorer) {
            final List<EvaluationReport.CutoffMetrics> metrics =
                online(config, scorer.scorer(), catalog, testSessions);
            onlineResults.put(scorer.name(), metrics);
            for (final EvaluationReport.CutoffMetrics m : metrics) {
              out.printf(
                  Locale.ROOT,
                  "online  %-28s Recall@%d %.4f  MRR@%d %.4f  (through the topology, rules as"
                      + " configured)%n",
                  scorer.name(),
                  m.k(),
                  m.recall(),
                  m.k(),
                  m.mrr());
            }
          }
        }
        document.put("online", onlineResults);
      }
      if (json != null) {
        Files.writeString(
            json,
            new ObjectMapper()
                .findAndRegisterModules()
                .writerWithDefaultPrettyPrinter()
                .writeValueAsString(document),
            StandardCharsets.UTF_8);
        out.println("JSON report written to " + json);
      }
      return 0;
    } finally {
      for (final NamedScorer scorer : scorers) {
        scorer.scorer().close();
      }
    }
  }

  private List<NamedScorer> baselines(final Map<String, List<Click>> trainSessions) {
    final List<String> wanted =
        baselines != null ? baselines : trainSessions.isEmpty() ? List.of() : allBaselines();
    if (wanted.isEmpty()) {
      return List.of();
    }
    if (trainSessions.isEmpty()) {
      throw new ParameterException(new CommandLine(this), "--baselines need --train FILE");
    }
    final Baselines.All all = Baselines.trainAll(trainSessions);
    final Map<String, SessionScorer> byName = new LinkedHashMap<>();
    byName.put("pop", all.popularity());
    byName.put("s-pop", all.sessionPopularity());
    byName.put("item-knn", all.itemKnn());
    byName.put("sknn", all.sknn());
    byName.put("v-sknn", all.vsknn());
    final List<NamedScorer> named = new ArrayList<>();
    for (final String name : wanted) {
      final SessionScorer scorer = byName.get(name.toLowerCase(Locale.ROOT));
      if (scorer == null) {
        throw new ParameterException(
            new CommandLine(this),
            "unknown baseline '" + name + "'; choose from " + byName.keySet());
      }
      named.add(new NamedScorer(name, scorer));
    }
    return named;
  }

  private static List<String> allBaselines() {
    return List.of("pop", "s-pop", "item-knn", "sknn", "v-sknn");
  }

  /** The options of --exclude-seen, or the configured one. */
  private List<ExcludeSeenSpec> excludeSeenOptions(final InSessionConfig config) {
    if (excludeSeen == null) {
      return List.of(config.excludeSeen());
    }
    final List<ExcludeSeenSpec> parsed = new ArrayList<>(excludeSeen.size());
    for (final String option : excludeSeen) {
      final ExcludeSeenSpec spec;
      try {
        spec = ExcludeSeenSpec.parse(option);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(new CommandLine(this), "--exclude-seen: " + e.getMessage(), e);
      }
      if (parsed.contains(spec)) {
        throw new ParameterException(
            new CommandLine(this), "--exclude-seen names '" + spec + "' twice");
      }
      parsed.add(spec);
    }
    return parsed;
  }

  /** The training items when given, else every item the bundles know (with their counts). */
  private static Catalog catalog(
      final Map<String, List<Click>> trainSessions, final List<NamedScorer> scorers) {
    if (!trainSessions.isEmpty()) {
      return Catalog.fromTraining(trainSessions);
    }
    final List<ModelBundle> bundles = new ArrayList<>();
    for (final NamedScorer named : scorers) {
      if (named.scorer() instanceof OnnxGruScorer gru) {
        bundles.add(gru.bundle());
      }
    }
    return Catalog.ofBundles(bundles);
  }

  private List<EvaluationReport.CutoffMetrics> online(
      final InSessionConfig base,
      final SessionScorer scorer,
      final Catalog catalog,
      final Map<String, List<Click>> testSessions)
      throws Exception {
    final int listLength = base.getInt(InSessionConfig.RECOMMENDATIONS_COUNT);
    final List<Integer> ks = cutoffs.stream().filter(k -> k <= listLength).toList();
    if (ks.isEmpty()) {
      throw new IllegalArgumentException(
          "every cut-off exceeds the served list length "
              + listLength
              + " (set insession.recommendations.count)");
    }
    final Path state = Files.createTempDirectory("insession-evaluate-");
    state.toFile().deleteOnExit();
    final Map<String, String> settings = new HashMap<>(base.settings());
    settings.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
    settings.put(InSessionConfig.APPLICATION_ID, "insession-evaluate");
    // the caller closes the scorer
    final ScorerVariants variants = ScorerVariants.single(scorer);
    try (RecommenderService service =
        RecommenderService.builder(InSessionConfig.of(settings))
            .embeddedBroker(EmbeddedKafkaBroker.findFreePorts(), 1)
            .variants(variants)
            .stream()
            .start()) {
      if (!service.streams().awaitRunning(Duration.ofSeconds(60))) {
        throw new IllegalStateException("the topology did not reach RUNNING in 60 s");
      }
      final InSessionConfig config = service.config();
      return new TopologyReplay(config.clientProperties(), Topics.from(config), catalog, ks)
          .run(testSessions, Duration.ofMinutes(30));
    }
  }
}
