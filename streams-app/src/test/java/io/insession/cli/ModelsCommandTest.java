package io.insession.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.insession.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code insession models publish|list|show} end to end on a temporary registry. */
class ModelsCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TINY = "gru4rec-tiny:20261123T202252Z";

  @TempDir Path dir;

  private static CliRun models(final String... args) {
    final List<String> all = new ArrayList<>(List.of("models"));
    all.addAll(List.of(args));
    return CliRun.execute(all);
  }

  private String registry() {
    return "--registry=" + dir.resolve("registry");
  }

  private CliRun publish(final String bundle, final String... extra) {
    final List<String> args =
        new ArrayList<>(List.of("publish", registry(), "--bundle=" + TestModels.bundleDir(bundle)));
    args.addAll(List.of(extra));
    return models(args.toArray(String[]::new));
  }

  @Test
  void shouldPublishListAndShowAVersion() throws IOException {
    final CliRun published = publish("tiny");
    assertThat(published.code()).as(published.err()).isZero();
    assertThat(published.out()).contains("Published " + TINY + " (4 files, verified)");

    final CliRun derived = publish("tiny-int8", "--parent=" + TINY);
    assertThat(derived.code()).as(derived.err()).isZero();

    final CliRun list = models("list", registry());
    assertThat(list.code()).isZero();
    assertThat(list.out().lines().toList())
        .hasSize(3)
        .satisfies(
            lines -> {
              assertThat(lines.get(0))
                  .startsWith("NAME")
                  .contains("VERSION", "PARENT", "RECALL@20");
              assertThat(lines.get(1))
                  .startsWith("gru4rec-tiny ")
                  .contains("20261123T202252Z", "0.585796");
              assertThat(lines.get(2))
                  .startsWith("gru4rec-tiny-int8 ")
                  .contains("20261127T124925Z", TINY);
            });

    final CliRun listJson = models("list", "gru4rec-tiny", "--json", registry());
    assertThat(listJson.code()).isZero();
    final JsonNode versions = JSON.readTree(listJson.out());
    assertThat(versions).hasSize(1);
    assertThat(versions.get(0).get("version").asText()).isEqualTo("20261123T202252Z");

    final CliRun show = models("show", "gru4rec-tiny-int8", registry());
    assertThat(show.code()).as(show.err()).isZero();
    assertThat(show.out())
        .startsWith("gru4rec-tiny-int8:20261127T124925Z")
        .contains("parent           " + TINY)
        .contains("gru4rec, 2933 items, hidden size 16, top_k 20")
        .contains("train_file=yoochoose-clicks-100k_train_full.txt")
        .contains("scheme=int8-catalog-v2")
        .contains("model.onnx")
        .contains("metadata.json");

    final CliRun showJson = models("show", TINY, "--json", registry());
    assertThat(showJson.code()).isZero();
    final JsonNode model = JSON.readTree(showJson.out());
    assertThat(model.get("name").asText()).isEqualTo("gru4rec-tiny");
    assertThat(model.get("parent").isNull()).isTrue();
    assertThat(model.at("/lineage/metrics/recall@20").asDouble()).isEqualTo(0.585796);
    assertThat(model.at("/lineage/hyperparameters/loss").asText()).isEqualTo("bpr-max");
    assertThat(model.at("/files/model.onnx/sha256").asText())
        .isEqualTo("57c38ff4de710005252020ff6f7cc9936bc9ba68cc529a39622b1bf07df88308");
    assertThat(Path.of(model.get("location").asText()).resolve("model.onnx")).isRegularFile();
  }

  @Test
  void shouldSayNothingChangedWhenTheSameBundleIsPublishedAgain() {
    assertThat(publish("tiny").code()).isZero();

    final CliRun again = publish("tiny");

    assertThat(again.code()).isZero();
    assertThat(again.out()).contains(TINY + " is already published with the same content");
  }

  @Test
  void shouldRefuseOtherContentUnderAPublishedVersion() {
    assertThat(publish("tiny", "--name=shop", "--version=v1").code()).isZero();

    final CliRun conflict = publish("tiny-int8", "--name=shop", "--version=v1");

    assertThat(conflict.code()).isEqualTo(ModelsCommand.EXIT_REFUSED);
    assertThat(conflict.err())
        .contains("shop:v1 is already published with different content")
        .contains("publish it under a new --version");
  }

  @Test
  void shouldRefuseATamperedBundle() throws IOException {
    final Path bundle = dir.resolve("tampered");
    Files.createDirectories(bundle);
    try (Stream<Path> files = Files.list(TestModels.tinyBundleDir())) {
      for (final Path file : files.toList()) {
        Files.copy(file, bundle.resolve(file.getFileName()));
      }
    }
    Files.writeString(bundle.resolve("items.tsv"), "index\titem_id\tcount\n0\tx\t1\n");

    final CliRun run = models("publish", registry(), "--bundle=" + bundle);

    assertThat(run.code()).isEqualTo(ModelsCommand.EXIT_REFUSED);
    assertThat(run.err()).contains("invalid model bundle, refused: items.tsv: size mismatch");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void shouldRejectAMissingBundleDirectoryAsUsageError() {
    final CliRun run = models("publish", registry(), "--bundle=" + dir.resolve("nowhere"));

    assertThat(run.code()).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(run.err()).contains("nowhere: not a directory (expected a model bundle)");
  }

  @Test
  void shouldRejectAnInvalidNameAsUsageError() {
    final CliRun run = publish("tiny", "--name=../elsewhere");

    assertThat(run.code()).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(run.err()).contains("model name '../elsewhere' is not allowed");
    assertThat(dir.resolve("elsewhere")).doesNotExist();
  }

  @Test
  void shouldAskForARegistryWhenNoneIsConfigured() {
    final CliRun run = models("list", "-s", "insession.registry.dir=");

    assertThat(run.code()).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(run.err()).contains("no model registry given: pass --registry DIR");
  }

  @Test
  void shouldTellUnknownModelsAndVersions() {
    assertThat(publish("tiny").code()).isZero();

    final CliRun unknownName = models("show", "nope", registry());
    final CliRun unknownVersion = models("show", "gru4rec-tiny:nope", registry());
    final CliRun unknownList = models("list", "nope", registry());
    final CliRun unknownParent = publish("tiny-int8", "--parent=gru4rec-tiny:19990101");

    assertThat(List.of(unknownName, unknownVersion, unknownList, unknownParent))
        .extracting(CliRun::code)
        .containsOnly(ModelsCommand.EXIT_NOT_FOUND);
    assertThat(unknownName.err()).contains("no model named 'nope'");
    assertThat(unknownVersion.err()).contains("model gru4rec-tiny has no version 'nope'");
    assertThat(unknownList.err()).contains("no model named 'nope'");
    assertThat(unknownParent.err()).contains("parent gru4rec-tiny:19990101 is not published");
  }

  @Test
  void shouldRefuseToShowFromAStoredVersionThatWasAltered() throws IOException {
    assertThat(publish("tiny").code()).isZero();
    final Path model = dir.resolve("registry/gru4rec-tiny/20261123T202252Z/" + "record.json");
    model.toFile().setWritable(true);
    Files.writeString(model, "{}");

    final CliRun run = models("show", TINY, registry());

    assertThat(run.code()).isEqualTo(ModelsCommand.EXIT_REFUSED);
    assertThat(run.err()).contains("model " + TINY + " in the registry at").contains("is damaged");
  }

  @Test
  void shouldDocumentTheCommandsAndExitCodes() {
    final CliRun help = models("--help");

    assertThat(help.code()).isZero();
    assertThat(help.out())
        .contains("publish", "list", "show", "Exit codes:", "3   unknown model name");
    assertThat(models().code()).isEqualTo(CommandLine.ExitCode.USAGE);
  }

  @Test
  void shouldMakeAKeyPairAndPublishASignedVersion() throws IOException {
    final Path keys = dir.resolve("keys");
    final CliRun keygen = models("keygen", "--out=" + keys);
    assertThat(keygen.code()).as(keygen.err()).isZero();
    assertThat(keygen.out()).startsWith("Key ").contains("(Ed25519)");
    assertThat(Files.getPosixFilePermissions(keys.resolve("signing-key.pem")))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    assertThat(keys.resolve("verify-key.pem")).content().startsWith("-----BEGIN PUBLIC KEY-----");

    final CliRun published = publish("tiny", "--sign-key=" + keys.resolve("signing-key.pem"));
    assertThat(published.code()).as(published.err()).isZero();
    assertThat(published.out()).contains("signed   record.json.sig");

    final CliRun again = models("keygen", "--out=" + keys);
    assertThat(again.code()).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(again.err()).contains("exists already");
  }
}
