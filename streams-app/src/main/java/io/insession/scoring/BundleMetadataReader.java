package io.insession.scoring;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Parses and validates metadata.json; every error message starts with the file name. */
final class BundleMetadataReader {

  static final String FILE = "metadata.json";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private BundleMetadataReader() {}

  static BundleMetadata parse(final String json) {
    final JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (final JsonProcessingException e) {
      throw new InvalidModelBundleException(
          FILE + ": not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw fail("expected a JSON object at the top level");
    }
    final int formatVersion = requiredInt(root, "format_version");
    if (formatVersion != ModelBundle.FORMAT_VERSION) {
      throw fail(
          "format_version "
              + formatVersion
              + " is not supported (this build reads format_version "
              + ModelBundle.FORMAT_VERSION
              + ")");
    }
    final int numItems = requiredInt(root, "num_items");
    final int hiddenSize = requiredInt(root, "hidden_size");
    final int topK = requiredInt(root, "top_k");
    if (numItems < 1) {
      throw fail("num_items must be >= 1, got " + numItems);
    }
    if (hiddenSize < 1) {
      throw fail("hidden_size must be >= 1, got " + hiddenSize);
    }
    if (topK < 1 || topK > numItems) {
      throw fail("top_k must be between 1 and num_items (" + numItems + "), got " + topK);
    }
    checkQuantization(root);
    final Retrieval retrieval = retrieval(root, topK);
    return new BundleMetadata(
        formatVersion,
        requiredText(root, "name"),
        requiredText(root, "version"),
        optionalText(root, "created"),
        optionalText(root, "model_type"),
        numItems,
        hiddenSize,
        topK,
        root.has("opset") ? requiredInt(root, "opset") : 0,
        recentItems(root),
        tensors(root, "inputs"),
        tensors(root, "outputs"),
        retrieval,
        files(root));
  }

  /**
   * A quantised bundle must use a scheme this build serves: an unknown or retired scheme (such as
   * {@code int8-catalog-v1}, whose lists depend on the CPU) is refused, never served.
   */
  private static void checkQuantization(final JsonNode root) {
    final JsonNode quantization = root.get("quantization");
    if (quantization == null || quantization.isNull()) {
      return;
    }
    if (!quantization.isObject()) {
      throw fail("'quantization' must be an object");
    }
    final String scheme = requiredText(quantization, "scheme", "quantization");
    if (!ModelBundle.QUANTIZATION_SCHEMES.contains(scheme)) {
      throw fail(
          "quantization scheme '"
              + scheme
              + "' is not supported (this build serves "
              + String.join(", ", new TreeSet<>(ModelBundle.QUANTIZATION_SCHEMES))
              + "); re-quantise the float bundle with the current model-exporter: python3 -m"
              + " insession_exporter quantize --bundle FLOAT_BUNDLE --out NEW_DIR");
    }
  }

  /**
   * How the graph finds its top-K: absent or {@code "type": "exact"} is exact scoring; {@code
   * "ivf"} needs a scheme this build knows and sizes that give every session at least {@code top_k}
   * candidates. Any other type is refused, never served as if exact.
   */
  private static Retrieval retrieval(final JsonNode root, final int topK) {
    final JsonNode retrieval = root.get("retrieval");
    if (retrieval == null || retrieval.isNull()) {
      return Retrieval.EXACT;
    }
    if (!retrieval.isObject()) {
      throw fail("'retrieval' must be an object");
    }
    final String type = requiredText(retrieval, "type", "retrieval");
    if (Retrieval.EXACT.type().equals(type)) {
      return Retrieval.EXACT;
    }
    if (!"ivf".equals(type)) {
      throw fail(
          "retrieval type '"
              + type
              + "' is not supported (this build serves exact and ivf); export the bundle with a"
              + " model-exporter that matches this build");
    }
    final String scheme = requiredText(retrieval, "scheme", "retrieval");
    if (!ModelBundle.RETRIEVAL_SCHEMES.contains(scheme)) {
      throw fail(
          "retrieval scheme '"
              + scheme
              + "' is not supported (this build serves "
              + String.join(", ", new TreeSet<>(ModelBundle.RETRIEVAL_SCHEMES))
              + ")");
    }
    final int lists = requiredInt(retrieval, "lists", "retrieval");
    final int probe = requiredInt(retrieval, "probe", "retrieval");
    final int listSize = requiredInt(retrieval, "list_size", "retrieval");
    if (lists < 1 || probe < 1 || probe > lists || listSize < 1) {
      throw fail(
          "retrieval needs lists >= 1, 1 <= probe <= lists and list_size >= 1, got lists "
              + lists
              + ", probe "
              + probe
              + ", list_size "
              + listSize);
    }
    if ((long) probe * listSize < topK) {
      throw fail(
          "retrieval re-ranks at most probe × list_size = "
              + (long) probe * listSize
              + " candidates, fewer than top_k "
              + topK);
    }
    return new Retrieval(type, scheme, lists, probe, listSize);
  }

  /**
   * R of a repeat-aware model ({@code "repeat": true} with {@code "recent_items": R >= 1}); 0 when
   * {@code repeat} is absent or false.
   */
  private static int recentItems(final JsonNode root) {
    final JsonNode repeat = root.get("repeat");
    if (repeat == null || repeat.isNull()) {
      return 0;
    }
    if (!repeat.isBoolean()) {
      throw fail("field 'repeat' must be true or false, got " + repeat);
    }
    if (!repeat.asBoolean()) {
      return 0;
    }
    final int recentItems = requiredInt(root, "recent_items");
    if (recentItems < 1) {
      throw fail("recent_items must be >= 1 for a repeat model, got " + recentItems);
    }
    return recentItems;
  }

  private static List<TensorSpec> tensors(final JsonNode root, final String field) {
    final JsonNode array = root.get(field);
    if (array == null || !array.isArray() || array.isEmpty()) {
      throw fail("'" + field + "' must be a non-empty array of tensors");
    }
    final List<TensorSpec> specs = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      final JsonNode tensor = array.get(i);
      final String where = field + "[" + i + "]";
      if (!tensor.isObject()) {
        throw fail("'" + where + "' must be an object");
      }
      final JsonNode shape = tensor.get("shape");
      if (shape == null || !shape.isArray()) {
        throw fail("'" + where + ".shape' must be an array");
      }
      final List<String> dims = new ArrayList<>();
      for (final JsonNode dim : shape) {
        if (dim.isIntegralNumber() && dim.canConvertToLong() && dim.asLong() >= 1) {
          dims.add(Long.toString(dim.asLong()));
        } else if (dim.isTextual() && TensorSpec.isSymbolic(dim.asText())) {
          dims.add(dim.asText());
        } else {
          throw fail("'" + where + ".shape' entries must be sizes >= 1 or axis names, got " + dim);
        }
      }
      specs.add(
          new TensorSpec(
              requiredText(tensor, "name", where), requiredText(tensor, "type", where), dims));
    }
    return specs;
  }

  private static Map<String, FileDigest> files(final JsonNode root) {
    final JsonNode files = root.get("files");
    if (files == null || !files.isObject()) {
      throw fail("'files' must be an object mapping file names to {sha256, bytes}");
    }
    final Map<String, FileDigest> digests = new LinkedHashMap<>();
    for (final Map.Entry<String, JsonNode> entry : files.properties()) {
      final String fileName = entry.getKey();
      if (fileName.isEmpty()
          || fileName.contains("/")
          || fileName.contains("\\")
          || fileName.equals(".")
          || fileName.equals("..")) {
        throw fail("'files' entry '" + fileName + "' must be a plain file name in the bundle");
      }
      if (fileName.equals(FILE)) {
        throw fail("'files' must not list " + FILE + " itself");
      }
      final String where = "files." + fileName;
      final JsonNode digest = entry.getValue();
      final JsonNode bytes = digest.get("bytes");
      if (bytes == null || !bytes.isIntegralNumber() || !bytes.canConvertToLong()) {
        throw fail("'" + where + ".bytes' must be an integer");
      }
      try {
        digests.put(
            fileName, new FileDigest(requiredText(digest, "sha256", where), bytes.asLong()));
      } catch (final IllegalArgumentException e) {
        throw fail("'" + where + "': " + e.getMessage());
      }
    }
    for (final String required : List.of(ModelBundle.MODEL_FILE, ModelBundle.ITEMS_FILE)) {
      if (!digests.containsKey(required)) {
        throw fail("'files' has no entry for " + required);
      }
    }
    return digests;
  }

  private static int requiredInt(final JsonNode node, final String field) {
    return requiredInt(node, field, null);
  }

  private static int requiredInt(final JsonNode node, final String field, final String where) {
    final String path = where == null ? field : where + "." + field;
    final JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw fail("missing field '" + path + "'");
    }
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw fail("field '" + path + "' must be an integer, got " + value);
    }
    return value.asInt();
  }

  private static String requiredText(final JsonNode node, final String field) {
    return requiredText(node, field, null);
  }

  private static String requiredText(final JsonNode node, final String field, final String where) {
    final String path = where == null ? field : where + "." + field;
    final JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw fail("missing field '" + path + "'");
    }
    if (!value.isTextual() || value.asText().isBlank()) {
      throw fail("field '" + path + "' must be a non-empty string, got " + value);
    }
    return value.asText();
  }

  private static String optionalText(final JsonNode node, final String field) {
    final JsonNode value = node.get(field);
    return value == null || value.isNull() ? "" : value.asText();
  }

  private static InvalidModelBundleException fail(final String what) {
    return new InvalidModelBundleException(FILE + ": " + what);
  }
}
