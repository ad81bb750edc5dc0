package io.insession.kafka;

import io.apicurio.registry.resolver.ParsedSchema;
import io.apicurio.registry.resolver.ParsedSchemaImpl;
import io.apicurio.registry.resolver.SchemaLookupResult;
import io.apicurio.registry.resolver.SchemaParser;
import io.apicurio.registry.resolver.SchemaResolver;
import io.apicurio.registry.resolver.client.RegistryClientFacade;
import io.apicurio.registry.resolver.data.Record;
import io.apicurio.registry.resolver.strategy.ArtifactReference;
import io.apicurio.registry.resolver.strategy.ArtifactReferenceResolverStrategy;
import io.insession.config.InSessionConfig;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;

/**
 * An in-process schema registry for Apicurio's serde, chosen by {@code
 * apicurio.registry.schema-resolver}: it hands out content ids from {@value #FIRST_ID} on, one per
 * distinct schema, shared by every serializer and deserializer in the JVM. It stands in for the
 * registry's REST conversation, which cannot be tested here (no registry server runs on this
 * machine); everything on the wire (magic byte, id, Avro body) is Apicurio's own code.
 */
public final class StubSchemaResolver implements SchemaResolver<Schema, Object> {

  /** The first content id handed out (far from 0 and 1, so a test sees the id bytes). */
  public static final long FIRST_ID = 4_242;

  private static final AtomicLong NEXT_ID = new AtomicLong(FIRST_ID);
  private static final Map<String, Long> IDS = new ConcurrentHashMap<>();
  private static final Map<Long, Schema> SCHEMAS = new ConcurrentHashMap<>();

  private SchemaParser<Schema, Object> parser;

  /** Settings that switch InSession to the Confluent wire format with this stub as registry. */
  public static Map<String, String> confluentSettings() {
    return Map.of(
        InSessionConfig.SERDE,
        "confluent",
        InSessionConfig.SERDE_REGISTRY_URL,
        "http://registry.invalid:8080/apis/registry/v3",
        "apicurio.registry.schema-resolver",
        StubSchemaResolver.class.getName());
  }

  /** The id the stub gave {@code schema} (registering it if new). */
  public static long idOf(final Schema schema) {
    return IDS.computeIfAbsent(
        schema.toString(),
        text -> {
          final long id = NEXT_ID.getAndIncrement();
          SCHEMAS.put(id, schema);
          return id;
        });
  }

  @Override
  public void configure(
      final Map<String, ?> configs, final SchemaParser<Schema, Object> schemaParser) {
    this.parser = schemaParser;
  }

  @Override
  public void setClientFacade(final RegistryClientFacade clientFacade) {
    // no registry to talk to
  }

  @Override
  public void setArtifactResolverStrategy(
      final ArtifactReferenceResolverStrategy<Schema, Object> strategy) {
    // one flat id space
  }

  @Override
  public SchemaParser<Schema, Object> getSchemaParser() {
    return parser;
  }

  @Override
  public SchemaLookupResult<Schema> resolveSchema(final Record<Object> data) {
    final ParsedSchema<Schema> schema = parser.getSchemaFromData(data);
    final long id = idOf(schema.getParsedSchema());
    return SchemaLookupResult.<Schema>builder()
        .parsedSchema(schema)
        .contentId(id)
        .globalId(id)
        .build();
  }

  @Override
  public SchemaLookupResult<Schema> resolveSchemaByArtifactReference(
      final ArtifactReference reference) {
    final Long id =
        reference.getContentId() != null ? reference.getContentId() : reference.getGlobalId();
    final Schema schema = id == null ? null : SCHEMAS.get(id);
    if (schema == null) {
      throw new IllegalStateException("no schema with id " + id + " in the stub registry");
    }
    final ParsedSchemaImpl<Schema> parsed =
        new ParsedSchemaImpl<Schema>()
            .setParsedSchema(schema)
            .setRawSchema(schema.toString().getBytes(StandardCharsets.UTF_8));
    return SchemaLookupResult.<Schema>builder()
        .parsedSchema(parsed)
        .contentId(id)
        .globalId(id)
        .build();
  }

  @Override
  public void reset() {
    // the ids stay for the JVM's life
  }

  @Override
  public void close() {
    // nothing to release
  }
}
