package io.insession.registry;

import io.insession.scoring.FileDigest;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One published, immutable model version: the registry's record of it and its lineage.
 *
 * @param ref name and version in the registry
 * @param publishedAt when it was published
 * @param publisher who published it ({@code user@host} by default)
 * @param parent the version it was derived from, if one was given
 * @param source where it was published from: the bundle directory and the name and version its
 *     metadata.json had there (the stored metadata.json carries the registry's name and version)
 * @param files size and SHA-256 of every stored bundle file, metadata.json included
 * @param lineage training data, hyperparameters, metrics and quantization from metadata.json
 * @param location where the stored bundle lies (a directory for the file-system registry)
 */
public record ModelVersion(
    ModelRef ref,
    Instant publishedAt,
    String publisher,
    Optional<ModelRef> parent,
    Source source,
    Map<String, FileDigest> files,
    Lineage lineage,
    Path location) {

  /**
   * Where a version was published from.
   *
   * @param path the bundle directory it was copied from (absolute)
   * @param name the bundle's own name (metadata.json there)
   * @param version the bundle's own version (metadata.json there)
   */
  public record Source(String path, String name, String version) {
    public Source {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(version, "version");
    }
  }

  public ModelVersion {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(publishedAt, "publishedAt");
    Objects.requireNonNull(publisher, "publisher");
    Objects.requireNonNull(parent, "parent");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(lineage, "lineage");
    Objects.requireNonNull(location, "location");
    files = Collections.unmodifiableMap(new LinkedHashMap<>(files));
  }

  /** The model's name. */
  public String name() {
    return ref.name();
  }

  /** The model's version. */
  public String version() {
    return ref.version();
  }
}
