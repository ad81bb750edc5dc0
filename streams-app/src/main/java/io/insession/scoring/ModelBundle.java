package io.insession.scoring;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A verified model bundle directory (docs/model-bundle.md): metadata, the item vocabulary and the
 * path of the ONNX step model.
 *
 * <p>Loading is all-or-nothing: metadata.json must parse and follow format 1, every file listed
 * under {@code files} must have the declared size and SHA-256, and items.tsv must have exactly
 * {@code num_items} rows in index order with unique ids. Anything else throws {@link
 * InvalidModelBundleException} naming the file and the mismatch, so a half-copied or hand-edited
 * bundle is never served. Instances are immutable and thread-safe.
 */
public final class ModelBundle {

  /** The bundle format version this build reads. */
  public static final int FORMAT_VERSION = 1;

  /** The ONNX step model's file name. */
  public static final String MODEL_FILE = "model.onnx";

  /** The item vocabulary's file name. */
  public static final String ITEMS_FILE = "items.tsv";

  /** The optional parity fixture's file name. */
  public static final String PARITY_FILE = "parity.json";

  /**
   * The quantization schemes ({@code quantization.scheme} in metadata.json) this build serves.
   * {@code int8-catalog-v2} has 7-bit activation codes, so its lists are the same on every CPU; the
   * retired {@code int8-catalog-v1} saturated ONNX Runtime's int16 sums on AVX2 CPUs without VNNI
   * and is refused.
   */
  public static final Set<String> QUANTIZATION_SCHEMES = Set.of("int8-catalog-v2");

  /**
   * The approximate-retrieval schemes ({@code retrieval.scheme} in metadata.json) this build
   * serves: {@code ivf-v1}, an inverted-file index with an exact re-rank inside the graph.
   */
  public static final Set<String> RETRIEVAL_SCHEMES = Set.of("ivf-v1");

  private static final Logger LOG = LoggerFactory.getLogger(ModelBundle.class);

  private final Path directory;
  private final BundleMetadata metadata;
  private final ItemVocabulary items;

  private ModelBundle(
      final Path directory, final BundleMetadata metadata, final ItemVocabulary items) {
    this.directory = directory;
    this.metadata = metadata;
    this.items = items;
  }

  /**
   * Loads and verifies the bundle in {@code directory}.
   *
   * @throws InvalidModelBundleException when any file is missing, corrupt or breaks the contract
   */
  public static ModelBundle load(final Path directory) {
    Objects.requireNonNull(directory, "directory");
    if (!Files.isDirectory(directory)) {
      throw new InvalidModelBundleException(
          directory + ": not a directory (expected a model bundle directory)");
    }
    final BundleMetadata metadata =
        BundleMetadataReader.parse(readMetadata(directory.resolve(BundleMetadataReader.FILE)));
    StepModelContract.check(metadata);
    for (final Map.Entry<String, FileDigest> file : metadata.files().entrySet()) {
      verifyFile(directory.resolve(file.getKey()), file.getKey(), file.getValue());
    }
    warnAboutUnlistedFiles(directory, metadata);
    final ItemVocabulary items =
        ItemVocabulary.read(directory.resolve(ITEMS_FILE), ITEMS_FILE, metadata.numItems());
    LOG.info(
        "Loaded model bundle {}/{} from {}: {} items, hidden size {}, top_k {}, retrieval {}",
        metadata.name(),
        metadata.version(),
        directory,
        metadata.numItems(),
        metadata.hiddenSize(),
        metadata.topK(),
        metadata.retrieval().describe());
    return new ModelBundle(directory, metadata, items);
  }

  /** The bundle directory. */
  public Path directory() {
    return directory;
  }

  /** The verified ONNX step model file. */
  public Path modelFile() {
    return directory.resolve(MODEL_FILE);
  }

  /** Everything the serving side reads from metadata.json. */
  public BundleMetadata metadata() {
    return metadata;
  }

  /** Name and version of the model, as written into every recommendation list. */
  public ModelInfo modelInfo() {
    return metadata.modelInfo();
  }

  /** The model's name. */
  public String name() {
    return metadata.name();
  }

  /** The model's version. */
  public String version() {
    return metadata.version();
  }

  /** Length of the model's hidden state (floats). */
  public int hiddenSize() {
    return metadata.hiddenSize();
  }

  /**
   * How many of the session's most recent items a repeat-aware model reads per step (its {@code
   * recent_items} input, the current item first); 0 for a plain model.
   */
  public int recentItems() {
    return metadata.recentItems();
  }

  /** How the step model finds its top-K: exact, or an approximate index search. */
  public Retrieval retrieval() {
    return metadata.retrieval();
  }

  /** Number of candidates the model returns per step. */
  public int topK() {
    return metadata.topK();
  }

  /** Number of items the model knows. */
  public int numItems() {
    return items.size();
  }

  /** The model index of a shop item id, empty when the model does not know the item. */
  public OptionalInt indexOf(final String itemId) {
    return items.indexOf(itemId);
  }

  /**
   * The shop item id at a model index.
   *
   * @throws IndexOutOfBoundsException when {@code index} is not in {@code [0, numItems)}
   */
  public String itemId(final int index) {
    Objects.checkIndex(index, items.size());
    return items.itemId(index);
  }

  /** Training clicks on the item at a model index. */
  public long count(final int index) {
    Objects.checkIndex(index, items.size());
    return items.count(index);
  }

  /** Training clicks over all items (the denominator of popularity scores). */
  public long totalCount() {
    return items.totalCount();
  }

  /**
   * The most clicked items in training, most first, ties by model index: the cold-start fallback.
   *
   * @param limit at most this many items (fewer when the model knows fewer)
   */
  public List<PopularItem> mostPopular(final int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0, got " + limit);
    }
    return items.mostPopular(limit);
  }

  @Override
  public String toString() {
    return "ModelBundle[" + metadata.name() + "/" + metadata.version() + " at " + directory + "]";
  }

  private static String readMetadata(final Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (final NoSuchFileException e) {
      throw new InvalidModelBundleException(
          BundleMetadataReader.FILE
              + ": missing in "
              + file.getParent()
              + " (not a model bundle, or an incomplete copy)",
          e);
    } catch (final IOException e) {
      throw new InvalidModelBundleException(BundleMetadataReader.FILE + ": cannot read: " + e, e);
    }
  }

  private static void verifyFile(final Path file, final String name, final FileDigest expected) {
    if (!Files.isRegularFile(file)) {
      throw new InvalidModelBundleException(
          name + ": missing (listed in " + BundleMetadataReader.FILE + " files)");
    }
    final long size = size(file, name);
    if (size != expected.bytes()) {
      throw new InvalidModelBundleException(
          name
              + ": size mismatch: "
              + BundleMetadataReader.FILE
              + " says "
              + expected.bytes()
              + " bytes, file has "
              + size);
    }
    final String sha256 = sha256(file, name);
    if (!sha256.equals(expected.sha256())) {
      throw new InvalidModelBundleException(
          name
              + ": sha256 mismatch: "
              + BundleMetadataReader.FILE
              + " says "
              + expected.sha256()
              + ", file has "
              + sha256);
    }
  }

  private static long size(final Path file, final String name) {
    try {
      return Files.size(file);
    } catch (final IOException e) {
      throw new InvalidModelBundleException(name + ": cannot read: " + e, e);
    }
  }

  private static String sha256(final Path file, final String name) {
    try {
      return FileDigest.of(file).sha256();
    } catch (final IOException e) {
      throw new InvalidModelBundleException(name + ": cannot read: " + e, e);
    }
  }

  private static void warnAboutUnlistedFiles(final Path directory, final BundleMetadata metadata) {
    final Set<String> unlisted;
    try (Stream<Path> files = Files.list(directory)) {
      unlisted =
          files
              .filter(Files::isRegularFile)
              .map(p -> p.getFileName().toString())
              .filter(n -> !n.equals(BundleMetadataReader.FILE))
              .filter(n -> !metadata.files().containsKey(n))
              .collect(Collectors.toCollection(TreeSet::new));
    } catch (final IOException e) {
      throw new InvalidModelBundleException(directory + ": cannot list the bundle: " + e, e);
    }
    if (!unlisted.isEmpty()) {
      LOG.warn(
          "Model bundle {}: files not listed in {} are ignored (not verified): {}",
          directory,
          BundleMetadataReader.FILE,
          unlisted);
    }
  }
}
