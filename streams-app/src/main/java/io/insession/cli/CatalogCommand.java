package io.insession.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.insession.catalog.CatalogEntry;
import io.insession.catalog.CatalogFile;
import io.insession.catalog.CatalogJson;
import io.insession.catalog.CatalogWriter;
import io.insession.catalog.InvalidCatalogException;
import io.insession.catalog.SyntheticCatalog;
import io.insession.config.InSessionConfig;
import io.insession.schemas.CatalogItem;
import io.insession.scoring.ModelBundle;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code insession catalog}: load the shop's catalogue onto its topic (docs/catalog.md). */
@Command(
    name = "catalog",
    mixinStandardHelpOptions = true,
    description = {
      "Load or update the item catalogue (the compacted topic insession.topic.catalog",
      "that every streams instance reads as a global store), or generate a SYNTHETIC",
      "one for a bundle's items. See docs/catalog.md."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:done",
      "1:Kafka could not be reached or refused the records (nothing is visible to readers)",
      "2:bad usage",
      "3:the file has errors (each listed with its line); nothing was written"
    },
    subcommands = {
      CatalogCommand.Load.class,
      CatalogCommand.Generate.class,
      CommandLine.HelpCommand.class
    })
final class CatalogCommand {

  /** Exit code: Kafka failed. */
  static final int EXIT_KAFKA = 1;

  /** Exit code: the file has errors. */
  static final int EXIT_INVALID = 3;

  static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(30);

  private CatalogCommand() {}

  /** {@code insession catalog load FILE}. */
  @Command(
      name = "load",
      mixinStandardHelpOptions = true,
      description = {
        "Check every record of FILE (CSV with a header row, or JSON: an array or one",
        "object per line), then write them all in one Kafka transaction: readers see",
        "all of them or none. A record with deleted=true deletes its item (tombstone).",
        "Items not in the file are left as they are."
      })
  static final class Load implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Mixin ConfigOptions options;

    @Parameters(
        index = "0",
        paramLabel = "FILE",
        description = "A .csv, .json, .jsonl or .ndjson file.")
    Path file;

    @Override
    public Integer call() throws Exception {
      final PrintWriter out = spec.commandLine().getOut();
      final PrintWriter err = spec.commandLine().getErr();
      final List<CatalogEntry> entries;
      try {
        entries = CatalogFile.read(file);
      } catch (final InvalidCatalogException e) {
        err.println("catalog load: " + e.getMessage());
        err.flush();
        return EXIT_INVALID;
      } catch (final IOException e) {
        err.println("catalog load: cannot read " + file + ": " + e.getMessage());
        err.flush();
        return EXIT_INVALID;
      }
      final InSessionConfig config = options.load(Map.of());
      final long deletions = entries.stream().filter(CatalogEntry::deletes).count();
      try {
        CatalogWriter.write(config, entries, KAFKA_TIMEOUT);
      } catch (final KafkaException e) {
        err.println(
            "catalog load: writing to "
                + config.getString(InSessionConfig.CATALOG_TOPIC)
                + " failed, the transaction was aborted (nothing is visible): "
                + e.getMessage());
        err.flush();
        return EXIT_KAFKA;
      }
      out.println(
          "Loaded "
              + (entries.size() - deletions)
              + " items and "
              + deletions
              + " deletions from "
              + file
              + " onto "
              + config.getString(InSessionConfig.CATALOG_TOPIC));
      out.flush();
      return 0;
    }
  }

  /** {@code insession catalog generate}. */
  @Command(
      name = "generate",
      mixinStandardHelpOptions = true,
      description = {
        "Write a SYNTHETIC catalogue (JSON, one item per line) for the items of a model",
        "bundle: made-up titles, categories, brands and prices, every record marked",
        "synthetic=true. For tests and the demo: the public session data sets come",
        "without a catalogue."
      })
  static final class Generate implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--bundle", required = true, paramLabel = "DIR", description = "Model bundle.")
    Path bundle;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "A .jsonl file.")
    Path output;

    @Option(
        names = "--seed",
        defaultValue = "1",
        paramLabel = "N",
        description = "Seed (${DEFAULT-VALUE}).")
    int seed;

    @Override
    public Integer call() throws IOException {
      final ModelBundle model = ModelBundle.load(bundle);
      final List<String> items = new ArrayList<>(model.numItems());
      for (int i = 0; i < model.numItems(); i++) {
        items.add(model.itemId(i));
      }
      final List<CatalogItem> catalog = SyntheticCatalog.generate(items, seed, Instant.now());
      final ObjectMapper json = new ObjectMapper();
      try (BufferedWriter writer = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
        for (final CatalogItem item : catalog) {
          writer.write(json.writeValueAsString(CatalogJson.toJson(item)));
          writer.newLine();
        }
      }
      final PrintWriter out = spec.commandLine().getOut();
      out.println("Wrote a SYNTHETIC catalogue of " + catalog.size() + " items to " + output);
      out.flush();
      return 0;
    }
  }
}
