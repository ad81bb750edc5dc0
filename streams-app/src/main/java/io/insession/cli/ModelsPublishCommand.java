package io.insession.cli;

import io.insession.config.InSessionConfig;
import io.insession.registry.FileSystemModelRegistry;
import io.insession.registry.ModelVersion;
import io.insession.registry.PublishOptions;
import io.insession.registry.PublishResult;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code insession models publish}: verifies a bundle and stores it as an immutable version. */
@Command(
    name = "publish",
    sortOptions = false,
    description = {
      "Verify a model bundle and publish it as an immutable version.",
      "Checksums, tensor names, shapes and the quantization scheme are checked",
      "first; the copy appears in the registry all at once, read-only. The same",
      "content again does nothing; other content under a taken version is refused."
    })
final class ModelsPublishCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin RegistryOptions registry;

  // no mixinStandardHelpOptions: its --version would clash with the model version option
  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  @Option(
      names = "--bundle",
      required = true,
      paramLabel = "DIR",
      description = "The bundle directory (made by model-exporter).")
  Path bundle;

  @Option(
      names = "--name",
      paramLabel = "NAME",
      description = "Publish under this name (default: the bundle's own name).")
  String name;

  @Option(
      names = "--version",
      paramLabel = "VERSION",
      description = "Publish as this version (default: the bundle's own version).")
  String version;

  @Option(
      names = "--parent",
      paramLabel = "[NAME:]VERSION",
      description = "The published version this one derives from (same name unless NAME: given).")
  String parent;

  @Option(
      names = "--sign-key",
      paramLabel = "FILE",
      description =
          "Sign the version's record with the Ed25519 key in this PEM file (same as -s "
              + InSessionConfig.REGISTRY_SIGN_KEY
              + "=FILE; make one with models keygen).")
  Path signKey;

  @Override
  public Integer call() throws Exception {
    return ModelsCommand.run(spec, this::publish);
  }

  private int publish() throws Exception {
    if (!Files.isDirectory(bundle)) {
      throw new ParameterException(
          spec.commandLine(), "--bundle " + bundle + ": not a directory (expected a model bundle)");
    }
    PublishOptions options = PublishOptions.defaults();
    if (name != null) {
      options = options.withName(name);
    }
    if (version != null) {
      options = options.withVersion(version);
    }
    if (parent != null) {
      options = options.withParent(parent);
    }
    final PublishResult result =
        registry
            .open(
                spec,
                signKey == null
                    ? Map.of()
                    : Map.of(InSessionConfig.REGISTRY_SIGN_KEY, signKey.toString()))
            .publish(bundle, options);
    final ModelVersion model = result.model();
    final PrintWriter out = spec.commandLine().getOut();
    if (result.created()) {
      out.println("Published " + model.ref() + " (" + model.files().size() + " files, verified)");
    } else {
      out.println(
          model.ref()
              + " is already published with the same content (on "
              + model.publishedAt()
              + " by "
              + model.publisher()
              + "): nothing to do");
    }
    if (Files.exists(model.location().resolveSibling(FileSystemModelRegistry.SIGNATURE_FILE))) {
      out.println("  signed   " + FileSystemModelRegistry.SIGNATURE_FILE);
    }
    out.println("  location " + model.location());
    out.flush();
    return 0;
  }
}
