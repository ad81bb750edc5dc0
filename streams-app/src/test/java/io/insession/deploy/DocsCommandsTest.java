package io.insession.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.insession.cli.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every {@code insession <subcommand>} the docs name exists in the CLI. */
class DocsCommandsTest {

  /** {@code ./insession run}, {@code `insession lookup}, and "the `replay` subcommand". */
  private static final List<Pattern> NAMED =
      List.of(
          Pattern.compile("(?:\\./insession|`insession)\\s+([a-z][a-z-]*)"),
          Pattern.compile("`([a-z][a-z-]*)` subcommand"));

  @Test
  void shouldNameOnlySubcommandsTheCliHas() throws IOException {
    final Path root = Repository.root();
    final List<Path> docs = new ArrayList<>();
    for (final String file :
        List.of("README.md", "BENCHMARKS.md", "deploy/README.md", "deploy/kubernetes/README.md")) {
      docs.add(root.resolve(file));
    }
    try (Stream<Path> files = Files.walk(root.resolve("docs"))) {
      files.filter(f -> f.toString().endsWith(".md")).forEach(docs::add);
    }
    final Set<String> subcommands = Main.commandLine().getSubcommands().keySet();
    final Set<String> named = new TreeSet<>();
    final List<String> unknown = new ArrayList<>();
    for (final Path doc : docs) {
      final String text = Files.readString(doc);
      for (final Pattern pattern : NAMED) {
        final Matcher matcher = pattern.matcher(text);
        while (matcher.find()) {
          named.add(matcher.group(1));
          if (!subcommands.contains(matcher.group(1))) {
            unknown.add(root.relativize(doc) + ": " + matcher.group());
          }
        }
      }
    }
    assertThat(unknown).as("subcommands the docs name but the CLI lacks").isEmpty();
    assertThat(named).as("the check found the documented commands").contains("demo", "run");
  }
}
