package io.insession.cli;

import io.insession.config.InSessionConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options every subcommand shares: where the settings come from. */
final class ConfigOptions {

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "Properties file of settings (InSession keys and any Kafka client setting).")
  Path configFile;

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT[,...]",
      description = "Kafka cluster to use (same as -s bootstrap.servers=...).")
  String bootstrapServers;

  @Option(
      names = {"-s", "--set"},
      paramLabel = "KEY=VALUE",
      description = "A setting; wins over the file and the environment. Repeatable.")
  Map<String, String> overrides = new LinkedHashMap<>();

  /** The layered config: defaults, file, environment, then these options. */
  InSessionConfig load(final Map<String, String> extra) throws IOException {
    final Map<String, String> all = new LinkedHashMap<>(extra);
    all.putAll(overrides);
    if (bootstrapServers != null) {
      all.put("bootstrap.servers", bootstrapServers);
    }
    return InSessionConfig.load(configFile, System.getenv(), all);
  }
}
