package io.insession.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.insession.config.InSessionConfig;
import io.insession.scoring.FileDigest;
import io.insession.scoring.InvalidModelBundleException;
import io.insession.scoring.ModelBundle;
import io.insession.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file-system registry on a temporary directory, with the real test bundles. */
class FileSystemModelRegistryTest {

  private static final Instant T0 = Instant.parse("2026-11-27T14:00:00Z");
  private static final ModelRef TINY = new ModelRef("gru4rec-tiny", "20261123T202252Z");

  @TempDir Path dir;

  private Path root() {
    return dir.resolve("registry");
  }

  private FileSystemModelRegistry registryAt(final Instant now) {
    return new FileSystemModelRegistry(root(), Clock.fixed(now, ZoneOffset.UTC));
  }

  private FileSystemModelRegistry registry() {
    return registryAt(T0);
  }

  private static PublishOptions options() {
    return PublishOptions.defaults().withPublisher("ci@test");
  }

  /** A writable copy of a test bundle, to be damaged. */
  private Path copyOf(final String bundle) throws IOException {
    final Path target = dir.resolve("copy-" + bundle);
    Files.createDirectories(target);
    try (Stream<Path> files = Files.list(TestModels.bundleDir(bundle))) {
      for (final Path file : files.toList()) {
        Files.copy(file, target.resolve(file.getFileName()));
      }
    }
    return target;
  }

  private static void flipByte(final Path file, final int position) throws IOException {
    file.toFile().setWritable(true);
    final byte[] bytes = Files.readAllBytes(file);
    bytes[position] = (byte) ~bytes[position];
    Files.write(file, bytes);
  }

  private static List<String> leftovers(final Path nameDir) throws IOException {
    try (Stream<Path> entries = Files.list(nameDir)) {
      return entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
    }
  }

  @Test
  void shouldPublishListShowAndResolveAVerifiedBundle() throws IOException {
    final FileSystemModelRegistry registry = registry();

    final PublishResult result = registry.publish(TestModels.tinyBundleDir(), options());

    assertThat(result.created()).isTrue();
    final ModelVersion model = result.model();
    assertThat(model.ref()).isEqualTo(TINY);
    assertThat(model.publishedAt()).isEqualTo(T0);
    assertThat(model.publisher()).isEqualTo("ci@test");
    assertThat(model.parent()).isEmpty();
    assertThat(model.source().path())
        .isEqualTo(TestModels.tinyBundleDir().toAbsolutePath().normalize().toString());
    assertThat(model.source().name()).isEqualTo("gru4rec-tiny");
    assertThat(model.location()).isEqualTo(root().resolve("gru4rec-tiny/20261123T202252Z/bundle"));
    // every file's checksum, metadata.json included, as the bundle's own metadata lists them
    final ModelBundle original = ModelBundle.load(TestModels.tinyBundleDir());
    assertThat(model.files())
        .containsOnlyKeys("items.tsv", "metadata.json", "model.onnx", "parity.json")
        .containsAllEntriesOf(original.metadata().files())
        .containsEntry(
            "metadata.json", FileDigest.of(TestModels.tinyBundleDir().resolve("metadata.json")));
    final Lineage lineage = model.lineage();
    assertThat(lineage.created()).isEqualTo("2026-11-23T20:22:52Z");
    assertThat(lineage.modelType()).isEqualTo("gru4rec");
    assertThat(lineage.numItems()).isEqualTo(2933);
    assertThat(lineage.hiddenSize()).isEqualTo(16);
    assertThat(lineage.topK()).isEqualTo(20);
    assertThat(lineage.trainingData())
        .containsEntry("train_file", "yoochoose-clicks-100k_train_full.txt")
        .containsEntry("sessions", 17794);
    assertThat(lineage.hyperparameters())
        .containsEntry("loss", "bpr-max")
        .containsEntry("layers", 1);
    assertThat(lineage.metrics()).containsEntry("recall@20", 0.585796);
    assertThat(lineage.quantization()).isEmpty();

    assertThat(registry.list()).containsExactly(model);
    assertThat(registry.list("gru4rec-tiny")).containsExactly(model);
    assertThat(registry.show(TINY)).isEqualTo(model);
    assertThat(registry.latest("gru4rec-tiny")).isEqualTo(model);
    // another instance on the same directory sees the same version
    assertThat(registryAt(T0.plusSeconds(60)).show(TINY)).isEqualTo(model);

    final Path resolved = registry.resolve(TINY);
    assertThat(resolved).isEqualTo(model.location());
    final ModelBundle served = ModelBundle.load(resolved);
    assertThat(served.modelInfo()).isEqualTo(original.modelInfo());
    assertThat(served.numItems()).isEqualTo(original.numItems());
    assertThat(leftovers(root().resolve("gru4rec-tiny"))).isEmpty();
  }

  @Test
  void shouldStoreEveryFileReadOnly() throws IOException {
    registry().publish(TestModels.tinyBundleDir(), options());

    final Path version = root().resolve("gru4rec-tiny/20261123T202252Z");
    try (Stream<Path> all = Files.walk(version)) {
      for (final Path path : all.toList()) {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path)))
            .as(path.toString())
            .isEqualTo(Files.isDirectory(path) ? "r-xr-xr-x" : "r--r--r--");
      }
    }
  }

  @Test
  void shouldServeTheRegistryNameAndVersionWhenPublishedUnderOthers() {
    final ModelVersion model =
        registry()
            .publish(TestModels.tinyBundleDir(), options().withName("shop-a").withVersion("v1"))
            .model();

    assertThat(model.ref()).isEqualTo(new ModelRef("shop-a", "v1"));
    assertThat(model.source().name()).isEqualTo("gru4rec-tiny");
    assertThat(model.source().version()).isEqualTo("20261123T202252Z");
    final ModelBundle served = ModelBundle.load(registry().resolve(model.ref()));
    assertThat(served.name()).isEqualTo("shop-a");
    assertThat(served.version()).isEqualTo("v1");
    assertThat(model.files().get("model.onnx"))
        .isEqualTo(served.metadata().files().get("model.onnx"));
  }

  @Test
  void shouldRecordTheParentOfADerivedVersion() {
    final FileSystemModelRegistry registry = registry();
    registry.publish(TestModels.tinyBundleDir(), options());

    final ModelVersion int8 =
        registry
            .publish(TestModels.bundleDir("tiny-int8"), options().withParent(TINY.toString()))
            .model();
    final ModelVersion retrained =
        registry
            .publish(
                TestModels.tinyBundleDir(),
                options().withVersion("retrained").withParent(TINY.version()))
            .model();

    assertThat(int8.parent()).contains(TINY);
    assertThat(int8.lineage().quantization()).containsEntry("scheme", "int8-catalog-v2");
    assertThat(retrained.parent()).contains(TINY);
    assertThat(registry.show(int8.ref()).parent()).contains(TINY);
    assertThat(registry.list())
        .extracting(ModelVersion::ref)
        .containsExactly(TINY, retrained.ref(), int8.ref());
  }

  @Test
  void shouldRefuseAParentThatIsNotPublished() {
    final ModelNotFoundException e =
        assertThrows(
            ModelNotFoundException.class,
            () ->
                registry()
                    .publish(TestModels.tinyBundleDir(), options().withParent("19990101T000000Z")));

    assertThat(e).hasMessageContaining("parent gru4rec-tiny:19990101T000000Z is not published");
    assertThat(root().resolve("gru4rec-tiny/20261123T202252Z")).doesNotExist();
  }

  @Test
  void shouldDoNothingWhenTheSameContentIsPublishedAgain() {
    final ModelVersion first = registry().publish(TestModels.tinyBundleDir(), options()).model();

    final PublishResult again =
        registryAt(T0.plusSeconds(3600))
            .publish(TestModels.tinyBundleDir(), options().withPublisher("someone@else"));

    assertThat(again.created()).isFalse();
    assertThat(again.model()).isEqualTo(first);
    assertThat(registry().list()).containsExactly(first);
  }

  @Test
  void shouldRefuseOtherContentUnderAPublishedVersion() throws IOException {
    final FileSystemModelRegistry registry = registry();
    final PublishOptions asV1 = options().withName("shop-a").withVersion("v1");
    final ModelVersion first = registry.publish(TestModels.tinyBundleDir(), asV1).model();

    final VersionConflictException e =
        assertThrows(
            VersionConflictException.class,
            () -> registry.publish(TestModels.bundleDir("tiny-int8"), asV1));

    assertThat(e)
        .hasMessageContaining("shop-a:v1 is already published with different content")
        .hasMessageContaining("immutable");
    assertThat(registry.show(first.ref())).isEqualTo(first);
    assertThat(registry.resolve(first.ref())).isEqualTo(first.location());
    assertThat(leftovers(root().resolve("shop-a"))).isEmpty();
  }

  @Test
  void shouldRefuseAnotherParentUnderAPublishedVersion() {
    final FileSystemModelRegistry registry = registry();
    registry.publish(TestModels.tinyBundleDir(), options());
    registry.publish(TestModels.tinyBundleDir(), options().withVersion("v2"));

    final VersionConflictException e =
        assertThrows(
            VersionConflictException.class,
            () ->
                registry.publish(
                    TestModels.tinyBundleDir(),
                    options().withVersion("v2").withParent(TINY.version())));

    assertThat(e).hasMessageContaining("already published with parent (none)");
    assertThat(registry.show(new ModelRef(TINY.name(), "v2")).parent()).isEmpty();
  }

  @Test
  void shouldRefuseATamperedBundleAtPublish() throws IOException {
    final Path bundle = copyOf("tiny");
    flipByte(bundle.resolve("model.onnx"), 1000);

    final InvalidModelBundleException e =
        assertThrows(
            InvalidModelBundleException.class, () -> registry().publish(bundle, options()));

    assertThat(e).hasMessageContaining("model.onnx: sha256 mismatch");
    assertThat(root().resolve("gru4rec-tiny")).doesNotExist();
  }

  @Test
  void shouldRefuseABundleWithARetiredQuantizationScheme() throws IOException {
    final Path bundle = copyOf("tiny-int8");
    final Path metadata = bundle.resolve("metadata.json");
    Files.writeString(
        metadata, Files.readString(metadata).replace("int8-catalog-v2", "int8-catalog-v1"));

    final InvalidModelBundleException e =
        assertThrows(
            InvalidModelBundleException.class, () -> registry().publish(bundle, options()));

    assertThat(e).hasMessageContaining("quantization scheme 'int8-catalog-v1' is not supported");
  }

  @Test
  void shouldRefuseAStoredFileChangedAfterPublishing() throws IOException {
    final FileSystemModelRegistry registry = registry();
    final ModelVersion model = registry.publish(TestModels.tinyBundleDir(), options()).model();
    flipByte(model.location().resolve("model.onnx"), 1000);

    final CorruptModelVersionException e =
        assertThrows(CorruptModelVersionException.class, () -> registry.resolve(TINY));

    assertThat(e)
        .hasMessageContaining("gru4rec-tiny:20261123T202252Z")
        .hasMessageContaining("altered after publishing")
        .hasMessageContaining("model.onnx: sha256 ")
        .hasMessageContaining("recorded " + model.files().get("model.onnx").sha256());
  }

  @Test
  void shouldRefuseAStoredMetadataFileChangedAfterPublishing() throws IOException {
    final FileSystemModelRegistry registry = registry();
    final ModelVersion model = registry.publish(TestModels.tinyBundleDir(), options()).model();
    final Path metadata = model.location().resolve("metadata.json");
    metadata.toFile().setWritable(true);
    // an edit of the same size that the bundle's own checks cannot see: only the registry's can
    final String edited =
        Files.readString(metadata).replace("\"recall@20\": 0.585796", "\"recall@20\": 0.985796");
    assertThat(edited).contains("\"recall@20\": 0.985796");
    Files.writeString(metadata, edited);
    assertThat(ModelBundle.load(model.location()).modelInfo().name()).isEqualTo(TINY.name());
    assertThat(registry.show(TINY).lineage().metrics()).containsEntry("recall@20", 0.985796);

    final CorruptModelVersionException e =
        assertThrows(CorruptModelVersionException.class, () -> registry.resolve(TINY));

    assertThat(e).hasMessageContaining("metadata.json: sha256 ");
  }

  @Test
  void shouldRefuseAStoredVersionWithAFileAddedOrRemoved() throws IOException {
    final FileSystemModelRegistry registry = registry();
    final ModelVersion model = registry.publish(TestModels.tinyBundleDir(), options()).model();
    model.location().toFile().setWritable(true);
    Files.writeString(model.location().resolve("extra.onnx"), "x");

    assertThat(assertThrows(CorruptModelVersionException.class, () -> registry.resolve(TINY)))
        .hasMessageContaining("extra.onnx is not part of the published version");

    Files.delete(model.location().resolve("extra.onnx"));
    Files.delete(model.location().resolve("parity.json"));

    assertThat(assertThrows(CorruptModelVersionException.class, () -> registry.resolve(TINY)))
        .hasMessageContaining("parity.json is missing");
  }

  @Test
  void shouldLetExactlyOneOfConcurrentPublishersOfAVersionWin() throws Exception {
    final int rounds = 5;
    final int publishers = 4;
    final ExecutorService pool = Executors.newFixedThreadPool(publishers);
    try {
      for (int round = 0; round < rounds; round++) {
        final PublishOptions asVersion = options().withName("race").withVersion("v" + round);
        final CountDownLatch start = new CountDownLatch(1);
        final List<Future<PublishResult>> results = new ArrayList<>();
        for (int p = 0; p < publishers; p++) {
          // half publish the float bundle, half the int8 one: different content, same version
          final Path bundle = TestModels.bundleDir(p % 2 == 0 ? "tiny" : "tiny-int8");
          final Callable<PublishResult> publish =
              () -> {
                start.await();
                return registry().publish(bundle, asVersion);
              };
          results.add(pool.submit(publish));
        }
        start.countDown();

        final List<PublishResult> succeeded = new ArrayList<>();
        final List<Throwable> refused = new ArrayList<>();
        for (final Future<PublishResult> result : results) {
          try {
            succeeded.add(result.get());
          } catch (final ExecutionException e) {
            refused.add(e.getCause());
          }
        }
        // one created it; the one with the same content saw a no-op; the other two were refused
        assertThat(succeeded).filteredOn(PublishResult::created).hasSize(1);
        assertThat(succeeded).hasSize(2);
        final ModelVersion winner = succeeded.get(0).model();
        assertThat(succeeded).allSatisfy(r -> assertThat(r.model()).isEqualTo(winner));
        assertThat(refused)
            .hasSize(2)
            .allSatisfy(
                e ->
                    assertThat(e)
                        .isInstanceOf(VersionConflictException.class)
                        .hasMessageContaining("already published with different content"));
        assertThat(registry().resolve(winner.ref())).isEqualTo(winner.location());
        assertThat(registry().show(winner.ref())).isEqualTo(winner);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(registry().list("race")).hasSize(rounds);
    assertThat(leftovers(root().resolve("race"))).isEmpty();
  }

  @Test
  void shouldGiveTheMostRecentlyPublishedVersionAsLatest() {
    registryAt(T0).publish(TestModels.tinyBundleDir(), options().withVersion("b"));
    registryAt(T0.plusSeconds(1)).publish(TestModels.tinyBundleDir(), options().withVersion("a"));

    assertThat(registry().latest(TINY.name()).version()).isEqualTo("a");
    assertThat(registry().list(TINY.name()))
        .extracting(ModelVersion::version)
        .containsExactly("b", "a");
  }

  @Test
  void shouldNotListAPublishThatACrashInterrupted() throws IOException {
    final FileSystemModelRegistry registry = registry();
    registry.publish(TestModels.tinyBundleDir(), options());
    Files.createDirectories(root().resolve("gru4rec-tiny/.publishing-v9-1234/bundle"));

    assertThat(registry.list()).extracting(ModelVersion::ref).containsExactly(TINY);
    assertThrows(
        ModelNotFoundException.class, () -> registry.show(new ModelRef(TINY.name(), "v9")));
  }

  @Test
  void shouldTellAnUnknownNameFromAnUnknownVersion() {
    final FileSystemModelRegistry registry = registry();
    assertThat(assertThrows(ModelNotFoundException.class, registry::list))
        .hasMessageContaining("no model registry at " + root());
    registry.publish(TestModels.tinyBundleDir(), options());

    assertThat(assertThrows(ModelNotFoundException.class, () -> registry.list("nope")))
        .hasMessageContaining("no model named 'nope'")
        .hasMessageContaining("models: gru4rec-tiny");
    assertThat(
            assertThrows(
                ModelNotFoundException.class,
                () -> registry.show(new ModelRef(TINY.name(), "nope"))))
        .hasMessageContaining("model gru4rec-tiny has no version 'nope'");
    assertThat(
            assertThrows(
                ModelNotFoundException.class,
                () -> registry.resolve(new ModelRef("nope", TINY.version()))))
        .hasMessageContaining("no model named 'nope'");
  }

  @Test
  void shouldOpenTheRegistryThatTheSettingsName() {
    final FileSystemModelRegistry opened =
        FileSystemModelRegistry.open(
            InSessionConfig.of(Map.of(InSessionConfig.REGISTRY_DIR, root().toString())));
    assertThat(opened.root()).isEqualTo(root());

    assertThat(
            assertThrows(
                ModelRegistryException.class,
                () -> FileSystemModelRegistry.open(InSessionConfig.of(Map.of()))))
        .hasMessageContaining("no model registry configured: set insession.registry.dir");
  }

  @Test
  void shouldRefuseNamesThatAreNotPlainDirectoryNames() {
    for (final String bad : List.of("../escape", "a/b", ".hidden", "", "a:b", "x".repeat(129))) {
      assertThrows(IllegalArgumentException.class, () -> options().withName(bad), bad);
      assertThrows(IllegalArgumentException.class, () -> new ModelRef("ok", bad), bad);
    }
  }
}
