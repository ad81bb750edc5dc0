package io.insession.cli;

import io.insession.registry.RecordSignatures;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code insession models keygen}: a new Ed25519 key pair for signing registry versions, as two PEM
 * files (the private one readable by its owner only).
 */
@Command(
    name = "keygen",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Make an Ed25519 key pair to sign published versions with (docs/model-registry.md).",
      "Writes DIR/signing-key.pem (private, mode 600: give it to whoever publishes) and",
      "DIR/verify-key.pem (public: give it to every serving instance as",
      "insession.registry.verify.keys). Never overwrites a file."
    })
final class ModelsKeygenCommand implements Callable<Integer> {

  static final String SIGNING_KEY_FILE = "signing-key.pem";
  static final String VERIFY_KEY_FILE = "verify-key.pem";

  @Spec CommandSpec spec;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Directory for the two files (created when missing).")
  Path out;

  @Override
  public Integer call() throws Exception {
    return ModelsCommand.run(spec, this::keygen);
  }

  private int keygen() throws Exception {
    final Path signing = out.resolve(SIGNING_KEY_FILE);
    final Path verify = out.resolve(VERIFY_KEY_FILE);
    for (final Path file : new Path[] {signing, verify}) {
      if (Files.exists(file)) {
        throw new ParameterException(
            spec.commandLine(),
            file + " exists already: nothing written (keys are never replaced)");
      }
    }
    Files.createDirectories(out);
    final KeyPair pair = RecordSignatures.generate();
    try {
      Files.createFile(
          signing,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (FileAlreadyExistsException e) {
      throw new ParameterException(spec.commandLine(), signing + " exists already", e);
    }
    Files.writeString(
        signing, RecordSignatures.privateKeyPem(pair.getPrivate()), StandardCharsets.US_ASCII);
    Files.writeString(
        verify, RecordSignatures.publicKeyPem(pair.getPublic()), StandardCharsets.US_ASCII);
    final PrintWriter writer = spec.commandLine().getOut();
    writer.println("Key " + RecordSignatures.keyId(pair.getPublic()) + " (Ed25519)");
    writer.println("  signing key (private, keep it secret) " + signing);
    writer.println("  verify key (public)                    " + verify);
    writer.flush();
    return 0;
  }
}
