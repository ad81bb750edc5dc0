package io.insession.cli;

import io.insession.config.InSessionConfig;
import io.insession.data.Click;
import io.insession.data.SessionFiles;
import io.insession.deployment.Deployments;
import io.insession.evaluation.Catalog;
import io.insession.evaluation.EvaluationOptions;
import io.insession.evaluation.NamedScorer;
import io.insession.evaluation.NextItemEvaluator;
import io.insession.evaluation.PromotionGate;
import io.insession.registry.ModelRef;
import io.insession.runtime.Scoring;
import io.insession.scoring.ModelBundle;
import io.insession.scoring.OnnxGruScorer;
import io.insession.scoring.OnnxRuntime;
import io.insession.scoring.PopularityScorer;
import io.insession.scoring.SessionScorer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Runs the promotion gate for {@code models gate} and {@code models deploy --gate-test}: opens the
 * two sources (a registry reference, a bundle directory, {@code bundle} = the configured bundle, or
 * {@code popular}), evaluates both on the test sessions and judges the candidate.
 */
final class GateRunner {

  private final CommandSpec spec;
  private final RegistryOptions registry;
  private final InSessionConfig config;
  private final Path train;
  private final boolean progress;

  GateRunner(
      final CommandSpec spec,
      final RegistryOptions registry,
      final InSessionConfig config,
      final Path train,
      final boolean progress) {
    this.spec = spec;
    this.registry = registry;
    this.config = config;
    this.train = train;
    this.progress = progress;
  }

  /** The verdict on {@code candidate} against {@code current} (sources) on {@code sessions}. */
  PromotionGate.Verdict verdict(
      final String candidate,
      final String current,
      final Map<String, List<Click>> sessions,
      final String testName,
      final PromotionGate.Rule rule)
      throws IOException {
    final OnnxRuntime runtime = Scoring.runtime(config);
    final List<SessionScorer> opened = new ArrayList<>();
    try {
      final Optional<ModelBundle> candidateBundle = bundle(candidate);
      final Optional<ModelBundle> currentBundle = bundle(current);
      final NamedScorer candidateScorer =
          scorer(candidate, candidateBundle, currentBundle, runtime, opened);
      final NamedScorer currentScorer =
          scorer(current, currentBundle, candidateBundle, runtime, opened);
      final Catalog catalog =
          train != null
              ? Catalog.fromTraining(SessionFiles.readSessions(train))
              : Catalog.ofBundles(
                  Stream.concat(candidateBundle.stream(), currentBundle.stream()).toList());
      final NextItemEvaluator evaluator =
          new NextItemEvaluator(
              sessions,
              catalog,
              EvaluationOptions.defaults()
                  .withDataset(testName)
                  .withCutoffs(List.of(rule.cutoff()))
                  .withMaxRecentItems(config.getInt(InSessionConfig.SESSION_RECENT_ITEMS))
                  .withProgress(progress));
      return PromotionGate.judge(evaluator, candidateScorer, currentScorer, rule);
    } finally {
      opened.forEach(SessionScorer::close);
    }
  }

  /** The bundle a source names; empty for {@code popular}. */
  private Optional<ModelBundle> bundle(final String source) throws IOException {
    if (source.equals("popular")) {
      return Optional.empty();
    }
    final Optional<ModelRef> ref = Deployments.registryRef(source);
    final Path dir;
    if (ref.isPresent()) {
      dir = registry.open(spec).resolve(ref.get());
    } else if (source.equals("bundle")) {
      dir = Path.of(config.getString(InSessionConfig.MODEL_BUNDLE));
    } else {
      dir = Path.of(source);
    }
    if (!Files.isDirectory(dir)) {
      throw new ParameterException(
          spec.commandLine(),
          "'"
              + source
              + "' is neither a registry reference NAME:VERSION, popular, bundle, nor a bundle"
              + " directory");
    }
    return Optional.of(ModelBundle.load(dir));
  }

  private NamedScorer scorer(
      final String source,
      final Optional<ModelBundle> bundle,
      final Optional<ModelBundle> other,
      final OnnxRuntime runtime,
      final List<SessionScorer> opened) {
    if (bundle.isPresent()) {
      final OnnxGruScorer model = OnnxGruScorer.create(bundle.get(), runtime);
      opened.add(model);
      Scoring.requireRememberedItems(model, config);
      return new NamedScorer(source, model);
    }
    final SessionScorer scorer =
        PopularityScorer.fromBundle(
            other.orElseThrow(
                () ->
                    new ParameterException(
                        spec.commandLine(),
                        "popular needs a bundle on the other side (its item counts)")));
    opened.add(scorer);
    return new NamedScorer(source, scorer);
  }
}
