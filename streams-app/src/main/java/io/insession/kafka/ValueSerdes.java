package io.insession.kafka;

import io.insession.avro.AvroSingleObjectSerde;
import io.insession.config.InSessionConfig;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serde;

/**
 * The one place that chooses how Avro values are written to and read from InSession's topics
 * ({@code insession.serde}): {@link Topics}, the topology, the lookup API, the demo, the evaluation
 * and the load tests all take their value serdes from here.
 *
 * <ul>
 *   <li>{@code single-object} (default): Avro's single-object encoding ({@link
 *       AvroSingleObjectSerde}), self-describing by the writer schema's CRC-64 fingerprint; no
 *       registry.
 *   <li>{@code confluent}: the Confluent wire format (magic byte 0 + 4-byte schema id) with the ids
 *       in a schema registry at {@code insession.serde.registry.url}, through Apicurio's Avro serde
 *       ({@link ConfluentWireSerde}); every {@code apicurio.registry.*} setting passes through.
 * </ul>
 *
 * <p>The changelogged state stores ({@link #storeValue}) always use the single-object encoding:
 * only InSession itself writes and reads them, restoring state must not depend on a registry being
 * up, and registering internal changelog subjects would clutter the registry.
 */
public final class ValueSerdes {

  /** The value encodings {@code insession.serde} names. */
  public enum Format {
    /** Avro single-object encoding, no registry. */
    SINGLE_OBJECT("single-object"),
    /** Confluent wire format through a schema registry. */
    CONFLUENT("confluent");

    private final String setting;

    Format(final String setting) {
      this.setting = setting;
    }

    /** The value of {@code insession.serde} that selects this format. */
    public String setting() {
      return setting;
    }

    /** The format named by {@code setting}. */
    public static Format of(final String setting) {
      for (final Format format : values()) {
        if (format.setting.equals(setting.strip().toLowerCase(Locale.ROOT))) {
          return format;
        }
      }
      throw new IllegalArgumentException("unknown value serde: " + setting);
    }
  }

  /** Prefix of the Apicurio serde settings that pass through to the registry-backed serde. */
  public static final String REGISTRY_SETTINGS_PREFIX = "apicurio.registry.";

  /** Apicurio's key for the registry URL, set from {@code insession.serde.registry.url}. */
  static final String APICURIO_URL = REGISTRY_SETTINGS_PREFIX + "url";

  private final Format format;
  private final Map<String, Object> registrySettings;

  private ValueSerdes(final Format format, final Map<String, Object> registrySettings) {
    this.format = Objects.requireNonNull(format, "format");
    this.registrySettings = Map.copyOf(registrySettings);
  }

  /** The serdes {@code config} chooses. */
  public static ValueSerdes from(final InSessionConfig config) {
    final Format format = Format.of(config.getString(InSessionConfig.SERDE));
    final Map<String, Object> registry = new TreeMap<>();
    config
        .kafkaProperties()
        .forEach(
            (key, value) -> {
              if (key.startsWith(REGISTRY_SETTINGS_PREFIX)) {
                registry.put(key, value);
              }
            });
    final String url = config.getString(InSessionConfig.SERDE_REGISTRY_URL);
    if (!url.isBlank()) {
      registry.put(APICURIO_URL, url.strip());
    }
    if (format == Format.CONFLUENT && !registry.containsKey(APICURIO_URL)) {
      throw new ConfigException(
          InSessionConfig.SERDE_REGISTRY_URL,
          url,
          "insession.serde=confluent needs the schema registry's URL");
    }
    return new ValueSerdes(format, registry);
  }

  /** The default: single-object encoding, no registry. */
  public static ValueSerdes singleObject() {
    return new ValueSerdes(Format.SINGLE_OBJECT, Map.of());
  }

  /** Which format this chooses. */
  public Format format() {
    return format;
  }

  /** A new serde for values of {@code type} on a topic, in the chosen format. */
  public <T extends SpecificRecord> Serde<T> topicValue(final Class<T> type) {
    return switch (format) {
      case SINGLE_OBJECT -> AvroSingleObjectSerde.forType(type);
      case CONFLUENT -> new ConfluentWireSerde<>(type, registrySettings);
    };
  }

  /** A serde for values of {@code type} in a changelogged state store: always single-object. */
  public static <T extends SpecificRecord> Serde<T> storeValue(final Class<T> type) {
    return AvroSingleObjectSerde.forType(type);
  }
}
