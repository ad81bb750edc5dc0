package io.insession.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.insession.scoring.FileDigest;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON forms of a version: the registry record stored beside each bundle ({@code record.json},
 * docs/model-registry.md) and the full view that {@code models show --json} prints (record, lineage
 * and location).
 */
public final class ModelVersionJson {

  /** The record layout this build writes and reads. */
  static final int RECORD_FORMAT = 1;

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

  private ModelVersionJson() {}

  /** The full view of a version: its record plus {@code lineage} and {@code location}. */
  public static ObjectNode toJson(final ModelVersion model) {
    final ObjectNode root = record(model);
    final Lineage lineage = model.lineage();
    final ObjectNode node = root.putObject("lineage");
    node.put("created", lineage.created());
    node.put("model_type", lineage.modelType());
    node.put("num_items", lineage.numItems());
    node.put("hidden_size", lineage.hiddenSize());
    node.put("top_k", lineage.topK());
    node.set("training_data", MAPPER.valueToTree(lineage.trainingData()));
    node.set("hyperparameters", MAPPER.valueToTree(lineage.hyperparameters()));
    node.set("metrics", MAPPER.valueToTree(lineage.metrics()));
    node.set("quantization", MAPPER.valueToTree(lineage.quantization()));
    root.put("location", model.location().toString());
    return root;
  }

  /** Pretty-printed JSON text of a node. */
  public static String pretty(final JsonNode node) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    } catch (final JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }

  /** The registry record of a version (what record.json holds). */
  static ObjectNode record(final ModelVersion model) {
    final ObjectNode root = MAPPER.createObjectNode();
    root.put("record_format", RECORD_FORMAT);
    root.put("name", model.name());
    root.put("version", model.version());
    root.put("published_at", model.publishedAt().toString());
    root.put("publisher", model.publisher());
    root.put("parent", model.parent().map(ModelRef::toString).orElse(null));
    final ObjectNode source = root.putObject("source");
    source.put("path", model.source().path());
    source.put("name", model.source().name());
    source.put("version", model.source().version());
    final ObjectNode files = root.putObject("files");
    model
        .files()
        .forEach(
            (file, digest) -> {
              final ObjectNode entry = files.putObject(file);
              entry.put("sha256", digest.sha256());
              entry.put("bytes", digest.bytes());
            });
    return root;
  }

  /** The registry part of a record.json, to be completed with lineage and location. */
  record StoredRecord(
      ModelRef ref,
      Instant publishedAt,
      String publisher,
      Optional<ModelRef> parent,
      ModelVersion.Source source,
      Map<String, FileDigest> files) {

    ModelVersion with(final Lineage lineage, final Path location) {
      return new ModelVersion(
          ref, publishedAt, publisher, parent, source, files, lineage, location);
    }
  }

  /**
   * Parses a record.json.
   *
   * @throws IllegalArgumentException naming the first field that is missing or wrong
   */
  static StoredRecord parseRecord(final String json) {
    final JsonNode root = tree(json);
    final int format = root.path("record_format").asInt(-1);
    if (format != RECORD_FORMAT) {
      throw new IllegalArgumentException(
          "record_format " + root.get("record_format") + " is not " + RECORD_FORMAT);
    }
    final Instant publishedAt;
    try {
      publishedAt = Instant.parse(text(root, "published_at"));
    } catch (final DateTimeParseException e) {
      throw new IllegalArgumentException("published_at is not an ISO-8601 instant", e);
    }
    final JsonNode parent = root.get("parent");
    final JsonNode source = root.path("source");
    final JsonNode files = root.get("files");
    if (files == null || !files.isObject() || files.isEmpty()) {
      throw new IllegalArgumentException("files must be a non-empty object");
    }
    final Map<String, FileDigest> digests = new LinkedHashMap<>();
    for (final Map.Entry<String, JsonNode> file : files.properties()) {
      digests.put(
          file.getKey(),
          new FileDigest(
              text(file.getValue(), "sha256"), file.getValue().path("bytes").asLong(-1)));
    }
    return new StoredRecord(
        new ModelRef(text(root, "name"), text(root, "version")),
        publishedAt,
        text(root, "publisher"),
        parent == null || parent.isNull()
            ? Optional.empty()
            : Optional.of(ModelRef.parse(parent.asText())),
        new ModelVersion.Source(
            text(source, "path"), text(source, "name"), text(source, "version")),
        digests);
  }

  /**
   * The lineage in a bundle's metadata.json (already verified by {@code ModelBundle.load} when it
   * was published).
   */
  static Lineage parseLineage(final String metadataJson) {
    final JsonNode root = tree(metadataJson);
    return new Lineage(
        root.path("created").asText(""),
        root.path("model_type").asText(""),
        root.path("num_items").asInt(0),
        root.path("hidden_size").asInt(0),
        root.path("top_k").asInt(0),
        map(root, "training_data"),
        map(root, "hyperparameters"),
        map(root, "metrics"),
        map(root, "quantization"));
  }

  /** metadata.json with {@code name} and {@code version} replaced, everything else kept. */
  static String renamed(final String metadataJson, final ModelRef ref) {
    final JsonNode root = tree(metadataJson);
    if (!root.isObject()) {
      throw new IllegalArgumentException("metadata.json is not a JSON object");
    }
    ((ObjectNode) root).put("name", ref.name());
    ((ObjectNode) root).put("version", ref.version());
    return pretty(root) + "\n";
  }

  private static Map<String, Object> map(final JsonNode root, final String field) {
    final JsonNode node = root.get(field);
    if (node == null || !node.isObject()) {
      return Map.of();
    }
    return MAPPER.convertValue(node, MAP);
  }

  private static JsonNode tree(final String json) {
    try {
      return MAPPER.readTree(json);
    } catch (final JsonProcessingException e) {
      throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static String text(final JsonNode node, final String field) {
    final JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new IllegalArgumentException("missing text field '" + field + "'");
    }
    return value.asText();
  }
}
