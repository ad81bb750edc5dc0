package io.insession.registry;

import io.insession.config.InSessionConfig;
import io.insession.scoring.FileDigest;
import io.insession.scoring.ModelBundle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry on a directory that every instance can read (a local directory, or a volume that a
 * cluster mounts). Layout:
 *
 * <pre>
 * &lt;root&gt;/&lt;name&gt;/&lt;version&gt;/record.json   the registry record (who, when, from where, parent, checksums)
 * &lt;root&gt;/&lt;name&gt;/&lt;version&gt;/bundle/        the bundle files, read-only
 * &lt;root&gt;/&lt;name&gt;/.publishing-*          a publish in progress (or one a crash interrupted)
 * </pre>
 *
 * <p>The bundle sits in its own directory so that it holds exactly the bundle's files ({@code
 * ModelBundle} warns about any other). A publish builds the whole version in a hidden directory
 * beside its final place, verifies the copy, then renames it into place in one atomic step: a
 * reader or a crash never sees half a version, and of two processes publishing the same version
 * exactly one rename succeeds (the other compares contents: same is a no-op, different is a {@link
 * VersionConflictException}). The same layout maps one to one onto object-store keys.
 */
public final class FileSystemModelRegistry implements ModelRegistry {

  /** The registry record's file name inside a version directory. */
  public static final String RECORD_FILE = "record.json";

  /** The bundle's directory name inside a version directory. */
  public static final String BUNDLE_DIR = "bundle";

  /** The signature of a version's record, next to it (when published with a signing key). */
  public static final String SIGNATURE_FILE = "record.json.sig";

  private static final String METADATA_FILE = "metadata.json";
  private static final String STAGING_PREFIX = ".publishing-";
  private static final Logger LOG = LoggerFactory.getLogger(FileSystemModelRegistry.class);

  private final Path root;
  private final Clock clock;
  private final RegistryKeys keys;

  /**
   * A registry rooted at {@code root}, stamping versions with {@code clock}, signing and checking
   * signatures with {@code keys}.
   */
  public FileSystemModelRegistry(final Path root, final Clock clock, final RegistryKeys keys) {
    this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
    this.clock = Objects.requireNonNull(clock, "clock");
    this.keys = Objects.requireNonNull(keys, "keys");
  }

  /** A registry rooted at {@code root}, stamping versions with {@code clock}, no signatures. */
  public FileSystemModelRegistry(final Path root, final Clock clock) {
    this(root, clock, RegistryKeys.none());
  }

  /** A registry rooted at {@code root} on the system clock, no signatures. */
  public FileSystemModelRegistry(final Path root) {
    this(root, Clock.systemUTC());
  }

  /**
   * The registry that {@code insession.registry.dir} names, with the keys of {@code
   * insession.registry.sign.key} and {@code insession.registry.verify.keys}.
   *
   * @throws ModelRegistryException when the setting is empty or a key file cannot be read
   */
  public static FileSystemModelRegistry open(final InSessionConfig config) {
    return new FileSystemModelRegistry(
        config
            .registryDir()
            .orElseThrow(
                () ->
                    new ModelRegistryException(
                        "no model registry configured: set "
                            + InSessionConfig.REGISTRY_DIR
                            + " (environment INSESSION_REGISTRY_DIR)")),
        Clock.systemUTC(),
        RegistryKeys.from(config));
  }

  /** The registry's root directory. */
  public Path root() {
    return root;
  }

  @Override
  public PublishResult publish(final Path bundleDir, final PublishOptions options) {
    Objects.requireNonNull(bundleDir, "bundleDir");
    Objects.requireNonNull(options, "options");
    final ModelBundle source = ModelBundle.load(bundleDir);
    final ModelRef ref =
        new ModelRef(
            options.name().orElseGet(() -> checkedOwn("name", source.name())),
            options.version().orElseGet(() -> checkedOwn("version", source.version())));
    final Optional<ModelRef> parent = options.parent().map(p -> parentRef(ref, p));
    parent.ifPresent(this::requirePublishedParent);
    final Path nameDir = root.resolve(ref.name());
    final Path staging = nameDir.resolve(STAGING_PREFIX + ref.version() + "-" + UUID.randomUUID());
    try {
      Files.createDirectories(nameDir);
      final ModelVersion staged = stage(source, ref, parent, options.publisher(), staging);
      final Path target = versionDir(ref);
      try {
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (final IOException e) {
        if (!Files.exists(target)) {
          throw e;
        }
        return alreadyPublished(staged);
      }
      LOG.info(
          "Published model {} from {} ({} files) into {}",
          ref,
          bundleDir,
          staged.files().size(),
          target);
      return new PublishResult(show(ref), true);
    } catch (final IOException e) {
      throw new ModelRegistryException(
          "cannot publish " + ref + " into the registry at " + root + ": " + e, e);
    } finally {
      deleteQuietly(staging);
    }
  }

  @Override
  public List<ModelVersion> list() {
    final List<ModelVersion> all = new ArrayList<>();
    for (final String name : names()) {
      all.addAll(versions(name));
    }
    return all;
  }

  @Override
  public List<ModelVersion> list(final String name) {
    ModelRef.checkPart("model name", name);
    final List<ModelVersion> versions = versions(name);
    if (versions.isEmpty()) {
      throw new ModelNotFoundException(
          "no model named '" + name + "' in the registry at " + root + knownNames());
    }
    return versions;
  }

  @Override
  public ModelVersion show(final ModelRef ref) {
    final Path dir = versionDir(ref);
    if (!Files.isDirectory(dir)) {
      if (Files.isDirectory(root.resolve(ref.name()))) {
        throw new ModelNotFoundException(
            "model "
                + ref.name()
                + " has no version '"
                + ref.version()
                + "' in the registry at "
                + root
                + " (see `insession models list "
                + ref.name()
                + "`)");
      }
      throw new ModelNotFoundException(
          "no model named '" + ref.name() + "' in the registry at " + root + knownNames());
    }
    final ModelVersionJson.StoredRecord stored;
    final Lineage lineage;
    try {
      stored = ModelVersionJson.parseRecord(read(dir.resolve(RECORD_FILE)));
      lineage = ModelVersionJson.parseLineage(read(dir.resolve(BUNDLE_DIR).resolve(METADATA_FILE)));
    } catch (final IOException | IllegalArgumentException e) {
      throw new CorruptModelVersionException(
          "model " + ref + " in the registry at " + root + " is damaged: " + e.getMessage(), e);
    }
    if (!stored.ref().equals(ref)) {
      throw new CorruptModelVersionException(
          "model "
              + ref
              + " in the registry at "
              + root
              + " is damaged: its "
              + RECORD_FILE
              + " is that of "
              + stored.ref());
    }
    return stored.with(lineage, dir.resolve(BUNDLE_DIR));
  }

  @Override
  public ModelVersion latest(final String name) {
    final List<ModelVersion> versions = list(name);
    return versions.get(versions.size() - 1);
  }

  @Override
  public Path resolve(final ModelRef ref) {
    final ModelVersion model = show(ref);
    final Path bundle = model.location();
    final Map<String, FileDigest> actual;
    try {
      actual = digests(bundle);
    } catch (final IOException e) {
      throw new CorruptModelVersionException(
          "model " + ref + " in the registry at " + root + " cannot be read: " + e, e);
    }
    final Optional<String> difference = difference(model.files(), actual);
    if (difference.isPresent()) {
      throw new CorruptModelVersionException(
          "model "
              + ref
              + " in the registry at "
              + root
              + " was altered after publishing and is refused: "
              + difference.get()
              + " (publish the bundle again under a new version)");
    }
    if (!keys.trusted().isEmpty()) {
      LOG.info("Model {}: record signed by key {}", ref, verifySignature(ref));
    }
    return bundle;
  }

  /** Checks the version's record against its signature and the trusted keys; the key's id. */
  private String verifySignature(final ModelRef ref) {
    final Path dir = versionDir(ref);
    final Path signature = dir.resolve(SIGNATURE_FILE);
    if (!Files.exists(signature)) {
      throw new CorruptModelVersionException(
          "model "
              + ref
              + " in the registry at "
              + root
              + " is not signed and is refused: "
              + InSessionConfig.REGISTRY_VERIFY_KEYS
              + " asks for a signature (publish it again under a new version with "
              + InSessionConfig.REGISTRY_SIGN_KEY
              + " set)");
    }
    try {
      return RecordSignatures.verify(
          Files.readAllBytes(dir.resolve(RECORD_FILE)),
          Files.readString(signature, StandardCharsets.US_ASCII),
          keys.trusted());
    } catch (final CorruptModelVersionException e) {
      throw new CorruptModelVersionException(
          "model " + ref + " in the registry at " + root + " is refused: " + e.getMessage(), e);
    } catch (final IOException e) {
      throw new CorruptModelVersionException(
          "model " + ref + " in the registry at " + root + " cannot be read: " + e, e);
    }
  }

  /** Copies, renames if asked, verifies and records the version in {@code staging}. */
  private ModelVersion stage(
      final ModelBundle source,
      final ModelRef ref,
      final Optional<ModelRef> parent,
      final String publisher,
      final Path staging)
      throws IOException {
    final Path bundle = staging.resolve(BUNDLE_DIR);
    Files.createDirectories(bundle);
    for (final String file : source.metadata().files().keySet()) {
      Files.copy(source.directory().resolve(file), bundle.resolve(file));
    }
    final String metadata = read(source.directory().resolve(METADATA_FILE));
    final boolean renamed =
        !ref.name().equals(source.name()) || !ref.version().equals(source.version());
    Files.writeString(
        bundle.resolve(METADATA_FILE),
        renamed ? ModelVersionJson.renamed(metadata, ref) : metadata,
        StandardCharsets.UTF_8);
    // the copy is what will be served: verify it, not only the source
    ModelBundle.load(bundle);
    final ModelVersion staged =
        new ModelVersion(
            ref,
            clock.instant().truncatedTo(ChronoUnit.MILLIS),
            publisher,
            parent,
            new ModelVersion.Source(
                source.directory().toAbsolutePath().normalize().toString(),
                source.name(),
                source.version()),
            digests(bundle),
            ModelVersionJson.parseLineage(read(bundle.resolve(METADATA_FILE))),
            versionDir(ref).resolve(BUNDLE_DIR));
    final byte[] record =
        (ModelVersionJson.pretty(ModelVersionJson.record(staged)) + "\n")
            .getBytes(StandardCharsets.UTF_8);
    Files.write(staging.resolve(RECORD_FILE), record);
    if (keys.signing().isPresent()) {
      Files.writeString(
          staging.resolve(SIGNATURE_FILE),
          RecordSignatures.sign(record, keys.signing().get()),
          StandardCharsets.US_ASCII);
    }
    makeReadOnly(staging);
    return staged;
  }

  /** Another publish took the version first: the same content is a no-op, else a conflict. */
  private PublishResult alreadyPublished(final ModelVersion staged) {
    final ModelVersion existing = show(staged.ref());
    final Optional<String> difference = difference(existing.files(), staged.files());
    if (difference.isPresent()) {
      throw new VersionConflictException(
          "model "
              + staged.ref()
              + " is already published with different content ("
              + difference.get()
              + "); versions are immutable: publish it under a new --version");
    }
    if (!existing.parent().equals(staged.parent())) {
      throw new VersionConflictException(
          "model "
              + staged.ref()
              + " is already published with parent "
              + existing.parent().map(ModelRef::toString).orElse("(none)")
              + ", not "
              + staged.parent().map(ModelRef::toString).orElse("(none)")
              + "; versions are immutable: publish it under a new --version");
    }
    LOG.info("Model {} is already published with the same content: nothing to do", staged.ref());
    return new PublishResult(existing, false);
  }

  /** The first difference between recorded and actual files, empty when they match. */
  private static Optional<String> difference(
      final Map<String, FileDigest> expected, final Map<String, FileDigest> actual) {
    for (final Map.Entry<String, FileDigest> file : expected.entrySet()) {
      final FileDigest found = actual.get(file.getKey());
      if (found == null) {
        return Optional.of(file.getKey() + " is missing");
      }
      if (found.bytes() != file.getValue().bytes()) {
        return Optional.of(
            file.getKey()
                + ": size "
                + found.bytes()
                + " bytes, recorded "
                + file.getValue().bytes());
      }
      if (!found.sha256().equals(file.getValue().sha256())) {
        return Optional.of(
            file.getKey()
                + ": sha256 "
                + found.sha256()
                + ", recorded "
                + file.getValue().sha256());
      }
    }
    return actual.keySet().stream()
        .filter(f -> !expected.containsKey(f))
        .sorted()
        .findFirst()
        .map(f -> f + " is not part of the published version");
  }

  private List<ModelVersion> versions(final String name) {
    final Path nameDir = root.resolve(name);
    if (!Files.isDirectory(nameDir)) {
      return List.of();
    }
    final List<ModelVersion> versions = new ArrayList<>();
    for (final String version : children(nameDir)) {
      try {
        versions.add(show(new ModelRef(name, version)));
      } catch (final CorruptModelVersionException | IllegalArgumentException e) {
        LOG.warn("Registry {}: skipping {}/{}: {}", root, name, version, e.getMessage());
      }
    }
    versions.sort(
        Comparator.comparing(ModelVersion::publishedAt).thenComparing(ModelVersion::version));
    return versions;
  }

  private List<String> names() {
    if (!Files.isDirectory(root)) {
      throw new ModelNotFoundException(
          "no model registry at "
              + root
              + " (nothing published yet, or a wrong "
              + InSessionConfig.REGISTRY_DIR
              + ")");
    }
    return children(root);
  }

  private String knownNames() {
    if (!Files.isDirectory(root)) {
      return " (the registry is empty)";
    }
    final List<String> names = children(root);
    return names.isEmpty()
        ? " (the registry is empty)"
        : " (models: " + String.join(", ", names) + ")";
  }

  /** Sorted names of the visible subdirectories (not staging or other hidden ones). */
  private static List<String> children(final Path dir) {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries
          .filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .filter(n -> !n.startsWith("."))
          .sorted()
          .toList();
    } catch (final IOException e) {
      throw new ModelRegistryException("cannot list " + dir + ": " + e, e);
    }
  }

  private Path versionDir(final ModelRef ref) {
    return root.resolve(ref.name()).resolve(ref.version());
  }

  private void requirePublishedParent(final ModelRef parent) {
    try {
      show(parent);
    } catch (final ModelNotFoundException e) {
      throw new ModelNotFoundException("parent " + parent + " is not published: " + e.getMessage());
    }
  }

  private static ModelRef parentRef(final ModelRef child, final String parent) {
    final ModelRef ref =
        parent.contains(":") ? ModelRef.parse(parent) : new ModelRef(child.name(), parent);
    if (ref.equals(child)) {
      throw new IllegalArgumentException("model " + child + " cannot be its own parent");
    }
    return ref;
  }

  private static String checkedOwn(final String what, final String value) {
    try {
      return ModelRef.checkPart("model " + what, value);
    } catch (final IllegalArgumentException e) {
      throw new IllegalArgumentException(
          e.getMessage() + " (the bundle's own " + what + "; give another with --" + what + ")", e);
    }
  }

  /** Size and SHA-256 of every file in a bundle directory, by file name. */
  private static Map<String, FileDigest> digests(final Path bundle) throws IOException {
    final Map<String, FileDigest> digests = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(bundle)) {
      for (final Path file : files.sorted().toList()) {
        digests.put(file.getFileName().toString(), FileDigest.of(file));
      }
    }
    return digests;
  }

  private static String read(final Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  /** Files r--r--r--, directories r-xr-xr-x (where the file system has POSIX permissions). */
  private static void makeReadOnly(final Path dir) throws IOException {
    // deepest first, so that no directory is read-only before its entries are done
    for (final Path path : tree(dir, Comparator.reverseOrder())) {
      setPermissions(path, Files.isDirectory(path) ? "r-xr-xr-x" : "r--r--r--");
    }
  }

  /** Every path under {@code dir} (itself included), listed before any is changed. */
  private static List<Path> tree(final Path dir, final Comparator<Path> order) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      return paths.sorted(order).toList();
    }
  }

  private static void setPermissions(final Path path, final String permissions) throws IOException {
    if (Files.getFileAttributeView(path, PosixFileAttributeView.class) != null) {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
    } else if (!path.toFile().setWritable(permissions.charAt(1) == 'w')) {
      throw new IOException("cannot set the permissions of " + path);
    }
  }

  /** Deletes a staging directory that is left over (after a failure or a lost race). */
  private static void deleteQuietly(final Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try {
      for (final Path path : tree(dir, Comparator.naturalOrder())) {
        if (Files.isDirectory(path)) {
          setPermissions(path, "rwx------");
        }
      }
      for (final Path path : tree(dir, Comparator.reverseOrder())) {
        Files.delete(path);
      }
    } catch (final IOException | UncheckedIOException e) {
      LOG.warn(
          "Could not delete the staging directory {} (delete it by hand): {}", dir, e.toString());
    }
  }
}
