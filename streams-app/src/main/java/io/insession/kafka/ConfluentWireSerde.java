package io.insession.kafka;

import io.apicurio.registry.serde.Default4ByteIdHandler;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.apicurio.registry.serde.avro.AvroSerdeConfig;
import io.apicurio.registry.serde.config.IdOption;
import io.apicurio.registry.serde.config.SerdeConfig;
import io.apicurio.registry.serde.kafka.config.KafkaSerdeConfig;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Avro values in the Confluent wire format (magic byte {@code 0}, the 4-byte big-endian schema id,
 * then the Avro binary body), with the schema ids kept in a schema registry: Apicurio's Avro serde
 * (Apicurio Registry's content id is the id its Confluent-compatible API hands out). Built by
 * {@link ValueSerdes} for {@code insession.serde=confluent}.
 *
 * <p>Bad bytes (no magic byte, too short, a body that does not decode as the expected record) throw
 * a {@link SerializationException} that says why, so the topology sends them to the dead-letter
 * topic; a registry that cannot be reached is no property of the record, so its error propagates
 * and stops the stream thread loudly (it restarts from its last commit, nothing is lost).
 */
final class ConfluentWireSerde<T extends SpecificRecord>
    implements Serde<T>, Serializer<T>, Deserializer<T> {

  /** The first byte of every value in the Confluent wire format. */
  static final byte MAGIC_BYTE = 0;

  /** Magic byte plus the 4-byte schema id. */
  static final int HEADER_BYTES = 5;

  private final Class<T> type;
  private final Map<String, Object> settings;
  private AvroKafkaSerializer<T> serializer;
  private AvroKafkaDeserializer<T> deserializer;

  /**
   * The serde; Apicurio's serializer and deserializer (and their registry clients) are made at
   * first use, so a {@link Topics} built only for its names opens no connection.
   */
  ConfluentWireSerde(final Class<T> type, final Map<String, Object> registrySettings) {
    this.type = Objects.requireNonNull(type, "type");
    this.settings = wireSettings(registrySettings);
  }

  private synchronized AvroKafkaSerializer<T> apicurioSerializer() {
    if (serializer == null) {
      final AvroKafkaSerializer<T> created = new AvroKafkaSerializer<>();
      created.configure(settings, false);
      serializer = created;
    }
    return serializer;
  }

  private synchronized AvroKafkaDeserializer<T> apicurioDeserializer() {
    if (deserializer == null) {
      final AvroKafkaDeserializer<T> created = new AvroKafkaDeserializer<>();
      created.configure(settings, false);
      deserializer = created;
    }
    return deserializer;
  }

  /**
   * The Apicurio settings as given, with the ones that make the Confluent wire format forced: the
   * id in the payload (not in headers), 4 bytes, the registry's content id.
   */
  static Map<String, Object> wireSettings(final Map<String, Object> registrySettings) {
    final Map<String, Object> settings = new HashMap<>(registrySettings);
    settings.put(KafkaSerdeConfig.ENABLE_HEADERS, false);
    settings.put(SerdeConfig.ID_HANDLER, Default4ByteIdHandler.class.getName());
    settings.put(SerdeConfig.USE_ID, IdOption.contentId.name());
    settings.putIfAbsent(AvroSerdeConfig.USE_SPECIFIC_AVRO_READER, true);
    return settings;
  }

  @Override
  public byte[] serialize(final String topic, final T data) {
    return serialize(topic, new RecordHeaders(), data);
  }

  @Override
  public byte[] serialize(final String topic, final Headers headers, final T data) {
    if (data == null) {
      return null;
    }
    return apicurioSerializer().serialize(topic, headers, data);
  }

  @Override
  public T deserialize(final String topic, final byte[] data) {
    return deserialize(topic, new RecordHeaders(), data);
  }

  @Override
  public T deserialize(final String topic, final Headers headers, final byte[] data) {
    if (data == null) {
      return null;
    }
    if (data.length < HEADER_BYTES || data[0] != MAGIC_BYTE) {
      throw new SerializationException(
          "Not a Confluent wire format "
              + type.getSimpleName()
              + ": "
              + (data.length == 0
                  ? "no bytes"
                  : "first byte " + data[0] + " (want " + MAGIC_BYTE + "), " + data.length)
              + " bytes");
    }
    final Object decoded;
    try {
      decoded = apicurioDeserializer().deserialize(topic, headers, data);
    } catch (AvroRuntimeException
        | UncheckedIOException
        | IndexOutOfBoundsException
        | ClassCastException e) {
      throw new SerializationException(
          "Corrupt " + type.getSimpleName() + " payload (" + data.length + " bytes): " + e, e);
    }
    if (!type.isInstance(decoded)) {
      throw new SerializationException(
          "Schema id in "
              + type.getSimpleName()
              + " payload names another record: "
              + (decoded == null ? "null" : decoded.getClass().getName()));
    }
    return type.cast(decoded);
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
  public synchronized void close() {
    if (serializer != null) {
      serializer.close();
      serializer = null;
    }
    if (deserializer != null) {
      deserializer.close();
      deserializer = null;
    }
  }
}
