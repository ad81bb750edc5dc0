package io.insession.cli;

import io.insession.config.InSessionConfig;
import io.insession.registry.FileSystemModelRegistry;
import io.insession.registry.ModelRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** Options of the {@code models} commands: where the registry is. */
final class RegistryOptions {

  @Mixin ConfigOptions config;

  @Option(
      names = "--registry",
      paramLabel = "DIR",
      description =
          "Registry root directory (same as -s insession.registry.dir=DIR or"
              + " INSESSION_REGISTRY_DIR).")
  Path registry;

  /** The registry the settings name; a usage error when none is configured. */
  ModelRegistry open(final CommandSpec spec) throws IOException {
    final InSessionConfig settings =
        config.load(
            registry == null
                ? Map.of()
                : Map.of(InSessionConfig.REGISTRY_DIR, registry.toString()));
    if (settings.registryDir().isEmpty()) {
      throw new ParameterException(
          spec.commandLine(),
          "no model registry given: pass --registry DIR, or set "
              + InSessionConfig.REGISTRY_DIR
              + " (environment INSESSION_REGISTRY_DIR)");
    }
    return FileSystemModelRegistry.open(settings);
  }
}
