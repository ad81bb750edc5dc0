package io.insession.registry;

import java.nio.file.Path;
import java.util.List;

/**
 * Immutable, versioned model bundles that a cluster of instances shares (docs/model-registry.md).
 *
 * <p>A version is published once and never changes: publishing verifies the bundle (checksums,
 * tensor names and shapes, quantization scheme), stores a copy atomically (readers see all of it or
 * nothing) and records who published it, when, from where, its parent version and the checksum of
 * every file. Publishing the same content again is a no-op; different content under a taken version
 * is refused. {@link #resolve} re-verifies the stored files, so a version altered after publishing
 * is never served.
 *
 * <p>Implementations are thread-safe, and safe across processes sharing the same store.
 */
public interface ModelRegistry {

  /**
   * Publishes the bundle in {@code bundleDir}.
   *
   * @throws io.insession.scoring.InvalidModelBundleException when the bundle fails verification
   * @throws VersionConflictException when the version is taken by different content or parent
   * @throws ModelNotFoundException when the parent version is not published
   * @throws ModelRegistryException when the registry cannot be written
   */
  PublishResult publish(Path bundleDir, PublishOptions options);

  /** Every published version of every model, by name, then oldest first. */
  List<ModelVersion> list();

  /**
   * Every published version of {@code name}, oldest first.
   *
   * @throws ModelNotFoundException when no version of {@code name} is published
   */
  List<ModelVersion> list(String name);

  /**
   * One published version (not verified: see {@link #resolve}).
   *
   * @throws ModelNotFoundException when it is not published
   * @throws CorruptModelVersionException when its registry record is missing or unreadable
   */
  ModelVersion show(ModelRef ref);

  /**
   * The most recently published version of {@code name}.
   *
   * @throws ModelNotFoundException when no version of {@code name} is published
   */
  ModelVersion latest(String name);

  /**
   * The directory of the stored bundle, after checking every file against the checksums recorded at
   * publish time; ready for {@code ModelBundle.load}. (A registry on an object store would return a
   * verified local copy.)
   *
   * @throws ModelNotFoundException when it is not published
   * @throws CorruptModelVersionException when a stored file was changed, added or removed
   */
  Path resolve(ModelRef ref);
}
