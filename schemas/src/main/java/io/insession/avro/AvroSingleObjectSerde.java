package io.insession.avro;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for Avro records in Avro's <a
 * href="https://avro.apache.org/docs/1.12.0/specification/#single-object-encoding">single-object
 * encoding</a>: every value starts with the 2-byte marker {@code C3 01} and the 8-byte CRC-64
 * fingerprint of its writer schema, so a reader can tell which schema wrote it without a registry.
 *
 * <p>Writers always use the current schema (the generated class). Readers resolve the current
 * schema and every earlier version listed in the project's schema history (classpath resources
 * {@code io/insession/schemas/history/<RecordName>-v<N>.avsc}, N = 1, 2, ...), so messages written
 * before a compatible schema change still decode.
 *
 * <p>This class is the one place that knows this wire format; {@code
 * io.insession.kafka.ValueSerdes} in the streams app chooses between it (the default) and a
 * registry-backed serde in the Confluent wire format ({@code insession.serde}). Anything that does
 * not decode throws a {@link SerializationException} whose message says why; callers treat it as
 * bad input.
 */
public final class AvroSingleObjectSerde<T extends SpecificRecord>
    implements Serde<T>, Serializer<T>, Deserializer<T> {

  private static final String HISTORY_ROOT = "io/insession/schemas/history/";

  private final Class<T> type;
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;
  private final List<Schema> knownSchemas;

  private AvroSingleObjectSerde(final Class<T> type, final List<Schema> olderSchemas) {
    this.type = Objects.requireNonNull(type, "type");
    final SpecificData model = SpecificData.getForClass(type);
    final Schema current = model.getSchema(type);
    this.encoder = new BinaryMessageEncoder<>(model, current);
    this.decoder = new BinaryMessageDecoder<>(model, current);
    final List<Schema> known = new ArrayList<>();
    known.add(current);
    for (final Schema older : olderSchemas) {
      decoder.addSchema(older);
      known.add(older);
    }
    this.knownSchemas = List.copyOf(known);
  }

  /** A serde for {@code type} that also reads the versions in the project's schema history. */
  public static <T extends SpecificRecord> AvroSingleObjectSerde<T> forType(final Class<T> type) {
    return new AvroSingleObjectSerde<>(type, historyOf(type));
  }

  /** A serde for {@code type} that also reads the given older writer schemas. */
  public static <T extends SpecificRecord> AvroSingleObjectSerde<T> forType(
      final Class<T> type, final List<Schema> olderSchemas) {
    return new AvroSingleObjectSerde<>(type, olderSchemas);
  }

  /** The writer schemas this serde can read, the current one first. */
  public List<Schema> knownSchemas() {
    return knownSchemas;
  }

  @Override
  public byte[] serialize(final String topic, final T data) {
    if (data == null) {
      return null;
    }
    try {
      final ByteBuffer buffer = encoder.encode(data);
      final byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException | AvroRuntimeException | ClassCastException | NullPointerException e) {
      throw new SerializationException(
          "Cannot encode " + type.getSimpleName() + " for topic " + topic + ": " + e.getMessage(),
          e);
    }
  }

  @Override
  public T deserialize(final String topic, final byte[] data) {
    if (data == null) {
      return null;
    }
    try {
      return decoder.decode(data);
    } catch (BadHeaderException e) {
      throw new SerializationException(
          "Not an Avro single-object encoded " + type.getSimpleName() + ": " + e.getMessage(), e);
    } catch (MissingSchemaException e) {
      throw new SerializationException(
          "Unknown writer schema for " + type.getSimpleName() + ": " + e.getMessage(), e);
    } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException e) {
      throw new SerializationException(
          "Corrupt " + type.getSimpleName() + " payload (" + data.length + " bytes): " + e, e);
    }
  }

  @Override
  public Serializer<T> serializer() {
    return this;
  }

  @Override
  public Deserializer<T> deserializer() {
    return this;
  }

  @Override
  public void configure(final Map<String, ?> configs, final boolean isKey) {
    // configured by construction
  }

  @Override
  public void close() {
    // stateless: nothing to release
  }

  /** The 64-bit fingerprint that prefixes messages written with {@code schema}. */
  public static long fingerprint(final Schema schema) {
    return SchemaNormalization.parsingFingerprint64(schema);
  }

  private static List<Schema> historyOf(final Class<?> type) {
    final List<Schema> schemas = new ArrayList<>();
    final ClassLoader loader = AvroSingleObjectSerde.class.getClassLoader();
    for (int version = 1; ; version++) {
      final String resource = HISTORY_ROOT + type.getSimpleName() + "-v" + version + ".avsc";
      try (InputStream in = loader.getResourceAsStream(resource)) {
        if (in == null) {
          return schemas;
        }
        schemas.add(new Schema.Parser().parse(in));
      } catch (IOException e) {
        throw new IllegalStateException("Cannot read schema history file " + resource, e);
      }
    }
  }
}
