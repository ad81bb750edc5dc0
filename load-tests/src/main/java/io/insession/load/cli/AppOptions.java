package io.insession.load.cli;

import io.insession.config.InSessionConfig;
import io.insession.kafka.ValueSerdes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** How {@code --embedded} starts the app. */
final class AppOptions {

  @Option(
      names = "--embedded",
      description =
          "Self-contained: start a Kafka broker in this JVM and `insession run` (and for lookup"
              + " `insession lookup`) as child processes against it.")
  boolean embedded;

  @Option(
      names = "--bundle",
      paramLabel = "DIR",
      description =
          "Model bundle the app serves (--embedded starts the app with it; otherwise it only"
              + " labels the report). Default: the tiny test bundle.")
  Path bundle;

  @Option(
      names = "--app-jar",
      paramLabel = "JAR",
      description = "The app's jar (default: streams-app/target/insession.jar).")
  Path appJar;

  @Option(
      names = "--app-java-opts",
      paramLabel = "OPTS",
      description =
          "JVM options of the child app, space-separated, e.g. \"-Xmx2g -XX:StartFlightRecording=...\".")
  String appJavaOpts = "";

  @Option(
      names = "--app-set",
      paramLabel = "KEY=VALUE",
      description = "A setting for the child app (its -s). Repeatable.")
  List<String> appSettings = new ArrayList<>();

  @Option(
      names = "--work-dir",
      paramLabel = "DIR",
      description =
          "Broker data, app state and the children's logs (default: load-tests/target/embedded)."
              + " Broker data and app state are deleted at the end; logs are kept.")
  Path workDir;

  Path bundleOrDefault() {
    return bundle == null ? Paths.tinyBundle() : bundle.toAbsolutePath();
  }

  Path appJarOrDefault() {
    return appJar == null ? Paths.appJar() : appJar;
  }

  Path workDirOrDefault() {
    return workDir == null
        ? Paths.home().resolve("load-tests/target/embedded-" + System.currentTimeMillis())
        : workDir;
  }

  /** The value serdes the child app uses, by its {@code --app-set} settings. */
  ValueSerdes valueSerdes() {
    final Map<String, String> settings = new HashMap<>();
    for (final String setting : appSettings) {
      final int eq = setting.indexOf('=');
      if (eq < 1) {
        throw new IllegalArgumentException("--app-set wants KEY=VALUE, got: " + setting);
      }
      settings.put(setting.substring(0, eq).strip(), setting.substring(eq + 1).strip());
    }
    return ValueSerdes.from(InSessionConfig.of(settings));
  }

  List<String> javaOptions() {
    return appJavaOpts.isBlank() ? List.of() : Arrays.asList(appJavaOpts.strip().split("\\s+"));
  }
}
