package io.insession.cli;

import io.insession.evaluation.PromotionGate;
import picocli.CommandLine.Option;

/** The promotion gate's rule (docs/promotion-gate.md): {@code models gate} and {@code retrain}. */
final class GateRuleOptions {

  @Option(
      names = "--cutoff",
      paramLabel = "K",
      description = "K of Recall@K and MRR@K (default: ${DEFAULT-VALUE}).")
  int cutoff = PromotionGate.Rule.defaults().cutoff();

  @Option(
      names = "--margin",
      paramLabel = "FRACTION",
      description =
          "How much worse the candidate may be, relative to the current model (default:"
              + " ${DEFAULT-VALUE}, i.e. 1 %).")
  double margin = PromotionGate.Rule.defaults().margin();

  @Option(
      names = "--confidence",
      paramLabel = "P",
      description = "Confidence of the one-sided lower bound (default: ${DEFAULT-VALUE}).")
  double confidence = PromotionGate.Rule.defaults().confidence();

  @Option(
      names = "--resamples",
      paramLabel = "N",
      description = "Bootstrap samples (default: ${DEFAULT-VALUE}).")
  int resamples = PromotionGate.Rule.defaults().resamples();

  @Option(
      names = "--seed",
      paramLabel = "N",
      description = "Seed of the bootstrap (default: ${DEFAULT-VALUE}).")
  long seed = PromotionGate.Rule.defaults().seed();

  /** The rule these options give. */
  PromotionGate.Rule rule() {
    return new PromotionGate.Rule(cutoff, margin, confidence, resamples, seed);
  }
}
