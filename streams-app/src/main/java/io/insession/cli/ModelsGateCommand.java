package io.insession.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.insession.config.InSessionConfig;
import io.insession.evaluation.PromotionGate;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code insession models gate}: the offline promotion gate (docs/promotion-gate.md). Replays test
 * sessions through a candidate and the current model with the serving code and passes the candidate
 * only if it is not worse on Recall@K and MRR@K beyond a margin (paired bootstrap over sessions);
 * exit code 5 when it fails, so that a script can require it before a deploy.
 */
@Command(
    name = "gate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Promotion gate: is the candidate not worse than the current model?",
      "Both predict every click of the test sessions (as evaluate does); a paired bootstrap",
      "over sessions gives a lower confidence bound of candidate - current for Recall@K and",
      "MRR@K; each must be at least -margin x current. Exit 0: passed; 5: failed."
    })
final class ModelsGateCommand implements Callable<Integer> {

  /** Exit code: the candidate failed the gate. */
  static final int EXIT_FAILED = 5;

  @Spec CommandSpec spec;

  @Mixin RegistryOptions registry;

  @Mixin TestSessionsOptions test;

  @Option(
      names = "--candidate",
      required = true,
      paramLabel = "SOURCE",
      description =
          "The candidate: a registry reference NAME:VERSION, a bundle directory, or popular.")
  String candidate;

  @Option(
      names = "--current",
      required = true,
      paramLabel = "SOURCE",
      description = "The model it must not be worse than (same forms as --candidate).")
  String current;

  @Option(
      names = "--train",
      paramLabel = "FILE",
      description = "Training sessions: the catalog (default: the items the bundles know).")
  Path train;

  @Mixin GateRuleOptions gateRule;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the verdict as JSON.")
  Path json;

  @Option(
      names = {"-q", "--quiet"},
      description = "Only the verdict and errors: no progress bar, no INFO or WARN log lines.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    if (!quiet) {
      return ModelsCommand.run(spec, this::gate);
    }
    final QuietLogging quietLogs = QuietLogging.onlyErrors();
    try {
      return ModelsCommand.run(spec, this::gate);
    } finally {
      quietLogs.restore();
    }
  }

  private int gate() throws Exception {
    final PromotionGate.Rule rule = gateRule.rule();
    final InSessionConfig config = registry.settings();
    final PromotionGate.Verdict verdict =
        new GateRunner(spec, registry, config, train, !quiet)
            .verdict(candidate, current, test.read(config), test.name(), rule);
    print(spec.commandLine().getOut(), verdict);
    if (json != null) {
      Files.writeString(
          json,
          new ObjectMapper()
                  .writerWithDefaultPrettyPrinter()
                  .writeValueAsString(Map.of("verdict", verdict, "passed", verdict.passed()))
              + "\n",
          StandardCharsets.UTF_8);
    }
    return verdict.passed() ? 0 : EXIT_FAILED;
  }

  static void print(final PrintWriter out, final PromotionGate.Verdict verdict) {
    final PromotionGate.Rule rule = verdict.rule();
    out.printf(
        Locale.ROOT,
        "Promotion gate: candidate %s against current %s%n"
            + "  %,d sessions, %,d predictions each; paired bootstrap over sessions, %,d samples,"
            + " seed %d%n"
            + "  rule: lower %.0f %% bound of candidate - current >= -%.2f %% x current%n",
        verdict.candidate(),
        verdict.current(),
        verdict.sessions(),
        verdict.predictions(),
        rule.resamples(),
        rule.seed(),
        rule.confidence() * 100,
        rule.margin() * 100);
    out.printf(
        Locale.ROOT,
        "  %-10s %9s %9s %10s %12s %10s  %s%n",
        "metric",
        "current",
        "candidate",
        "difference",
        "lower bound",
        "allowed",
        "verdict");
    for (final PromotionGate.Comparison c : verdict.comparisons()) {
      out.printf(
          Locale.ROOT,
          "  %-10s %9.4f %9.4f %+10.4f %+12.4f %+10.4f  %s%n",
          c.metric(),
          c.current(),
          c.candidate(),
          c.difference(),
          c.lowerBound(),
          c.allowed(),
          c.passed() ? "pass" : "FAIL");
    }
    out.println(
        verdict.passed()
            ? "PASSED: the candidate may be promoted"
            : "FAILED: keep the current model");
    out.flush();
  }
}
