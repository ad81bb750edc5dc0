package io.insession.cli;

import io.insession.config.InSessionConfig;
import io.insession.registry.FileSystemModelRegistry;
import io.insession.registry.ModelRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
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

  /** The settings, with {@code --registry} as {@code insession.registry.dir}. */
  InSessionConfig settings() throws IOException {
    return settings(Map.of());
  }

  /** The settings, with {@code --registry} and then {@code overrides} on top. */
  InSessionConfig settings(final Map<String, String> overrides) throws IOException {
    final Map<String, String> all = new HashMap<>(overrides);
    if (registry != null) {
      all.put(InSessionConfig.REGISTRY_DIR, registry.toString());
    }
    return config.load(all);
  }

  /** The registry the settings name, if they name one. */
  Optional<ModelRegistry> openIfConfigured() throws IOException {
    final InSessionConfig settings = settings();
    return settings.registryDir().isPresent()
        ? Optional.of(FileSystemModelRegistry.open(settings))
        : Optional.empty();
  }

  /** The registry the settings name; a usage error when none is configured. */
  ModelRegistry open(final CommandSpec spec) throws IOException {
    return open(spec, Map.of());
  }

  /** As {@link #open(CommandSpec)}, with {@code overrides} on top of the settings. */
  ModelRegistry open(final CommandSpec spec, final Map<String, String> overrides)
      throws IOException {
    final InSessionConfig settings = settings(overrides);
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
