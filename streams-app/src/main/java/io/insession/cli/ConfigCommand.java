package io.insession.cli;

import io.insession.config.InSessionConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Prints the effective settings, or the documentation of every key. */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = "Print the effective settings (secrets masked), or with --doc every key's doc.")
final class ConfigCommand implements Callable<Integer> {

  @Mixin ConfigOptions options;

  @picocli.CommandLine.Option(names = "--doc", description = "Document every InSession key.")
  boolean doc;

  @Override
  public Integer call() throws Exception {
    if (doc) {
      System.out.println(InSessionConfig.definition().toRst());
      return 0;
    }
    options.load(java.util.Map.of()).describe().forEach((k, v) -> System.out.println(k + "=" + v));
    return 0;
  }
}
