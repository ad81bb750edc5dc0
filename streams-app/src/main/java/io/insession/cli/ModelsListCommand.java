package io.insession.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.insession.registry.ModelRef;
import io.insession.registry.ModelRegistry;
import io.insession.registry.ModelVersion;
import io.insession.registry.ModelVersionJson;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code insession models list}: the published versions, oldest first per model. */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = "List the published versions of every model, or of one, oldest first.")
final class ModelsListCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin RegistryOptions registry;

  @Parameters(arity = "0..1", paramLabel = "NAME", description = "Only this model's versions.")
  String name;

  @Option(names = "--json", description = "Print a JSON array (each version as `show --json`).")
  boolean json;

  @Override
  public Integer call() throws Exception {
    return ModelsCommand.run(spec, this::list);
  }

  private int list() throws Exception {
    final ModelRegistry models = registry.open(spec);
    final List<ModelVersion> versions = name == null ? models.list() : models.list(name);
    final PrintWriter out = spec.commandLine().getOut();
    if (json) {
      final ArrayNode array = JsonNodeFactory.instance.arrayNode();
      versions.forEach(v -> array.add(ModelVersionJson.toJson(v)));
      out.println(ModelVersionJson.pretty(array));
    } else if (versions.isEmpty()) {
      out.println("No model is published yet (insession models publish --bundle DIR).");
    } else {
      final List<List<String>> rows = new ArrayList<>();
      rows.add(List.of("NAME", "VERSION", "PUBLISHED", "PARENT", "RECALL@20", "MRR@20"));
      for (final ModelVersion v : versions) {
        rows.add(
            List.of(
                v.name(),
                v.version(),
                v.publishedAt().toString(),
                v.parent().map(ModelRef::toString).orElse("-"),
                String.valueOf(v.lineage().metrics().getOrDefault("recall@20", "-")),
                String.valueOf(v.lineage().metrics().getOrDefault("mrr@20", "-"))));
      }
      printTable(out, rows);
    }
    out.flush();
    return 0;
  }

  private static void printTable(final PrintWriter out, final List<List<String>> rows) {
    final int[] widths = new int[rows.get(0).size()];
    for (final List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    for (final List<String> row : rows) {
      final StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        line.append(row.get(i));
        if (i < row.size() - 1) {
          line.append(" ".repeat(widths[i] - row.get(i).length() + 2));
        }
      }
      out.println(line);
    }
  }
}
