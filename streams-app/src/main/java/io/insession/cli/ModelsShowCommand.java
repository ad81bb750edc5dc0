package io.insession.cli;

import io.insession.registry.Lineage;
import io.insession.registry.ModelRef;
import io.insession.registry.ModelRegistry;
import io.insession.registry.ModelVersion;
import io.insession.registry.ModelVersionJson;
import io.insession.scoring.FileDigest;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code insession models show}: one version's record and lineage. */
@Command(
    name = "show",
    mixinStandardHelpOptions = true,
    description = {
      "Show one published version: its record, lineage and checksums.",
      "Who published it, when and from where, its parent, training data,",
      "hyperparameters, metrics, quantization and the checksum of every file."
    })
final class ModelsShowCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin RegistryOptions registry;

  @Parameters(
      paramLabel = "NAME[:VERSION]",
      description = "The model, and the version (default: the most recently published).")
  String model;

  @Option(names = "--json", description = "Print JSON (record, lineage and location).")
  boolean json;

  @Override
  public Integer call() throws Exception {
    return ModelsCommand.run(spec, this::show);
  }

  private int show() throws Exception {
    final ModelRegistry models = registry.open(spec);
    final ModelVersion version =
        model.contains(":")
            ? models.show(ModelRef.parse(model))
            : models.latest(ModelRef.checkPart("model name", model));
    final PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(ModelVersionJson.pretty(ModelVersionJson.toJson(version)));
    } else {
      print(out, version);
    }
    out.flush();
    return 0;
  }

  private static void print(final PrintWriter out, final ModelVersion v) {
    final Lineage lineage = v.lineage();
    out.println(v.ref());
    line(out, "published", v.publishedAt() + " by " + v.publisher());
    line(out, "parent", v.parent().map(ModelRef::toString).orElse("-"));
    line(
        out,
        "source",
        v.source().path() + " (as " + v.source().name() + ":" + v.source().version() + ")");
    line(out, "created", lineage.created().isEmpty() ? "-" : lineage.created());
    line(
        out,
        "model",
        String.format(
            Locale.ROOT,
            "%s, %d items, hidden size %d, top_k %d",
            lineage.modelType().isEmpty() ? "?" : lineage.modelType(),
            lineage.numItems(),
            lineage.hiddenSize(),
            lineage.topK()));
    line(out, "training data", inline(lineage.trainingData()));
    line(out, "hyperparameters", inline(lineage.hyperparameters()));
    line(out, "metrics", inline(lineage.metrics()));
    // the full quantization block (wording, parity figures) is in --json
    final Map<String, Object> quantization = new LinkedHashMap<>(lineage.quantization());
    quantization.keySet().retainAll(List.of("scheme", "source"));
    line(out, "quantization", inline(quantization));
    out.println("  files");
    for (final Map.Entry<String, FileDigest> file : v.files().entrySet()) {
      out.printf(
          Locale.ROOT,
          "    %-16s sha256 %s  %d bytes%n",
          file.getKey(),
          file.getValue().sha256(),
          file.getValue().bytes());
    }
    line(out, "location", v.location().toString());
  }

  private static void line(final PrintWriter out, final String label, final String value) {
    out.printf(Locale.ROOT, "  %-16s %s%n", label, value);
  }

  private static String inline(final Map<String, Object> map) {
    if (map.isEmpty()) {
      return "-";
    }
    return map.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(", "));
  }
}
