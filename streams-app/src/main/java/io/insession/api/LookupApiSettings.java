package io.insession.api;

import io.insession.config.InSessionConfig;
import io.insession.http.HttpSecurity;
import io.insession.kafka.ValueSerdes;
import io.insession.schemas.RecommendationList;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Every setting of the lookup API, immutable.
 *
 * @param bootstrapServers Kafka {@code bootstrap.servers}
 * @param kafkaProperties further Kafka consumer settings passed through unchanged (security
 *     settings, client id, ...); copied. The settings the API depends on ({@code
 *     isolation.level=read_committed}, the deserializers, no auto commit) cannot be overridden.
 * @param topic the recommendations topic to serve
 * @param port the HTTP port; 0 picks a free one ({@link LookupApi#port()} tells which)
 * @param cacheMaxEntries the most sessions kept in memory (least recently used ones go first)
 * @param cacheTtl how long a session's list is served after it was read; the session gap
 * @param collector the event collector's settings; null when the API collects no events
 * @param push the push stream's settings
 * @param cacheMaxBytes the most heap (estimated bytes) the cached lists may take; least recently
 *     used ones go first
 * @param http limits of the HTTP server (request size, session id length, idle timeout)
 * @param brokerGrace how long the consumer may fail to reach the brokers before {@code /ready}
 *     answers 503
 * @param listDecoder the recommendations topic's value deserializer (its serde is chosen by {@code
 *     insession.serde}, see {@code kafka.ValueSerdes})
 * @param bindAddress the API's bind address
 * @param metricsBindAddress the bind address of the API's metrics server
 * @param metricsPort the port of the API's {@code GET /metrics}; 0 picks a free one
 * @param security authentication, rate limits and CORS of both servers
 */
public record LookupApiSettings(
    String bootstrapServers,
    Map<String, String> kafkaProperties,
    String topic,
    int port,
    long cacheMaxEntries,
    Duration cacheTtl,
    CollectorSettings collector,
    PushSettings push,
    long cacheMaxBytes,
    HttpLimits http,
    Duration brokerGrace,
    Deserializer<RecommendationList> listDecoder,
    String bindAddress,
    String metricsBindAddress,
    int metricsPort,
    HttpSecurity security) {

  /** HTTP port when none is given. */
  public static final int DEFAULT_PORT = 8080;

  /** Sessions kept when no limit is given. */
  public static final long DEFAULT_CACHE_MAX_ENTRIES = 100_000L;

  /** Time to live of a cached list when none is given: the 30-minute session gap. */
  public static final Duration DEFAULT_CACHE_TTL = Duration.ofMinutes(30);

  /** The defaults of {@link InSessionConfig}, for the settings that have none here. */
  private static final InSessionConfig DEFAULTS = InSessionConfig.of(Map.of());

  /** Validates and copies the arguments. */
  public LookupApiSettings {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    if (bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("bootstrapServers must not be blank");
    }
    kafkaProperties = Map.copyOf(Objects.requireNonNull(kafkaProperties, "kafkaProperties"));
    Objects.requireNonNull(topic, "topic");
    if (topic.isBlank()) {
      throw new IllegalArgumentException("topic must not be blank");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be in 0..65535: " + port);
    }
    if (cacheMaxEntries < 1) {
      throw new IllegalArgumentException("cacheMaxEntries must be >= 1: " + cacheMaxEntries);
    }
    Objects.requireNonNull(cacheTtl, "cacheTtl");
    if (cacheTtl.isNegative() || cacheTtl.isZero()) {
      throw new IllegalArgumentException("cacheTtl must be positive: " + cacheTtl);
    }
    Objects.requireNonNull(push, "push");
    if (cacheMaxBytes < 1) {
      throw new IllegalArgumentException("cacheMaxBytes must be >= 1: " + cacheMaxBytes);
    }
    Objects.requireNonNull(http, "http");
    http.requireLongerThan(push.heartbeat());
    Objects.requireNonNull(brokerGrace, "brokerGrace");
    if (brokerGrace.isNegative() || brokerGrace.isZero()) {
      throw new IllegalArgumentException("brokerGrace must be positive: " + brokerGrace);
    }
    Objects.requireNonNull(listDecoder, "listDecoder");
    Objects.requireNonNull(security, "security");
    // validates the addresses and the metrics port
    new ApiBinding(bindAddress, port, metricsBindAddress, metricsPort);
  }

  /** Where the API and its metrics listen. */
  public ApiBinding binding() {
    return new ApiBinding(bindAddress, port, metricsBindAddress, metricsPort);
  }

  /** A copy that listens on other addresses and another metrics port. */
  public LookupApiSettings withBinding(final ApiBinding newBinding) {
    return new LookupApiSettings(
        bootstrapServers,
        kafkaProperties,
        topic,
        newBinding.port(),
        cacheMaxEntries,
        cacheTtl,
        collector,
        push,
        cacheMaxBytes,
        http,
        brokerGrace,
        listDecoder,
        newBinding.host(),
        newBinding.metricsHost(),
        newBinding.metricsPort(),
        security);
  }

  /** A copy with other authentication, rate limits and CORS. */
  public LookupApiSettings withSecurity(final HttpSecurity newSecurity) {
    return new LookupApiSettings(
        bootstrapServers,
        kafkaProperties,
        topic,
        port,
        cacheMaxEntries,
        cacheTtl,
        collector,
        push,
        cacheMaxBytes,
        http,
        brokerGrace,
        listDecoder,
        bindAddress,
        metricsBindAddress,
        metricsPort,
        newSecurity);
  }

  /**
   * Settings with the defaults: port 8080 on every interface, metrics on any free port, 100,000
   * sessions, 30 minutes, no extra properties, no event collector, the default push settings, and
   * no authentication ({@link HttpSecurity#none()}; {@code runtime.LookupSettings} builds the
   * settings of a real instance from the config, authentication included).
   */
  public static LookupApiSettings of(final String bootstrapServers, final String topic) {
    return new LookupApiSettings(
        bootstrapServers,
        Map.of(),
        topic,
        DEFAULT_PORT,
        DEFAULT_CACHE_MAX_ENTRIES,
        DEFAULT_CACHE_TTL,
        null,
        PushSettings.defaults(),
        DEFAULTS.getLong(InSessionConfig.API_CACHE_MAX_BYTES),
        HttpLimits.from(DEFAULTS),
        Duration.ofMillis(DEFAULTS.getLong(InSessionConfig.API_READY_BROKER_GRACE_MS)),
        ValueSerdes.singleObject().topicValue(RecommendationList.class).deserializer(),
        ApiBinding.ANY_HOST,
        ApiBinding.ANY_HOST,
        0,
        HttpSecurity.none());
  }

  /** A copy with another HTTP port. */
  public LookupApiSettings withPort(final int newPort) {
    return new LookupApiSettings(
        bootstrapServers,
        kafkaProperties,
        topic,
        newPort,
        cacheMaxEntries,
        cacheTtl,
        collector,
        push,
        cacheMaxBytes,
        http,
        brokerGrace,
        listDecoder,
        bindAddress,
        metricsBindAddress,
        metricsPort,
        security);
  }

  /** A copy with other pass-through Kafka properties. */
  public LookupApiSettings withKafkaProperties(final Map<String, String> properties) {
    return new LookupApiSettings(
        bootstrapServers,
        properties,
        topic,
        port,
        cacheMaxEntries,
        cacheTtl,
        collector,
        push,
        cacheMaxBytes,
        http,
        brokerGrace,
        listDecoder,
        bindAddress,
        metricsBindAddress,
        metricsPort,
        security);
  }

  /** A copy with another cache size and time to live. */
  public LookupApiSettings withCache(final long maxEntries, final Duration ttl) {
    return new LookupApiSettings(
        bootstrapServers,
        kafkaProperties,
        topic,
        port,
        maxEntries,
        ttl,
        collector,
        push,
        cacheMaxBytes,
        http,
        brokerGrace,
        listDecoder,
        bindAddress,
        metricsBindAddress,
        metricsPort,
        security);
  }

  /** A copy with another bound of the cache in bytes. */
  public LookupApiSettings withCacheMaxBytes(final long maxBytes) {
    return new LookupApiSettings(
        bootstrapServers,
        kafkaProperties,
        topic,
        port,
        cacheMaxEntries,
        cacheTtl,
        collector,
        push,
        maxBytes,
        http,
        brokerGrace,
        listDecoder,
        bindAddress,
        metricsBindAddress,
        metricsPort,
        security);
  }

  /** A copy with an event collector ({@code null}: none). */
  public LookupApiSettings withCollector(final CollectorSettings newCollector) {
    return new LookupApiSettings(
        bootstrapServers,
        kafkaProperties,
        topic,
        port,
        cacheMaxEntries,
        cacheTtl,
        newCollector,
        push,
        cacheMaxBytes,
        http,
        brokerGrace,
        listDecoder,
        bindAddress,
        metricsBindAddress,
        metricsPort,
        security);
  }

  /** A copy with other push stream settings. */
  public LookupApiSettings withPush(final PushSettings newPush) {
    return new LookupApiSettings(
        bootstrapServers,
        kafkaProperties,
        topic,
        port,
        cacheMaxEntries,
        cacheTtl,
        collector,
        newPush,
        cacheMaxBytes,
        http,
        brokerGrace,
        listDecoder,
        bindAddress,
        metricsBindAddress,
        metricsPort,
        security);
  }

  /** A copy with other HTTP limits. */
  public LookupApiSettings withHttp(final HttpLimits newHttp) {
    return new LookupApiSettings(
        bootstrapServers,
        kafkaProperties,
        topic,
        port,
        cacheMaxEntries,
        cacheTtl,
        collector,
        push,
        cacheMaxBytes,
        newHttp,
        brokerGrace,
        listDecoder,
        bindAddress,
        metricsBindAddress,
        metricsPort,
        security);
  }

  /** A copy with another grace for unreachable brokers before {@code /ready} says 503. */
  public LookupApiSettings withBrokerGrace(final Duration grace) {
    return new LookupApiSettings(
        bootstrapServers,
        kafkaProperties,
        topic,
        port,
        cacheMaxEntries,
        cacheTtl,
        collector,
        push,
        cacheMaxBytes,
        http,
        grace,
        listDecoder,
        bindAddress,
        metricsBindAddress,
        metricsPort,
        security);
  }

  /** A copy that reads the lists with another deserializer. */
  public LookupApiSettings withListDecoder(final Deserializer<RecommendationList> decoder) {
    return new LookupApiSettings(
        bootstrapServers,
        kafkaProperties,
        topic,
        port,
        cacheMaxEntries,
        cacheTtl,
        collector,
        push,
        cacheMaxBytes,
        http,
        brokerGrace,
        decoder,
        bindAddress,
        metricsBindAddress,
        metricsPort,
        security);
  }

  /** The settings with the values of secret-looking Kafka properties masked, for logs. */
  @Override
  public String toString() {
    final Map<String, String> shown = new TreeMap<>();
    kafkaProperties.forEach(
        (key, value) -> shown.put(key, InSessionConfig.isSecret(key) ? "[hidden]" : value));
    return "LookupApiSettings[bootstrapServers="
        + bootstrapServers
        + ", kafkaProperties="
        + shown
        + ", topic="
        + topic
        + ", port="
        + port
        + ", cacheMaxEntries="
        + cacheMaxEntries
        + ", cacheTtl="
        + cacheTtl
        + ", collector="
        + collector
        + ", push="
        + push
        + ", cacheMaxBytes="
        + cacheMaxBytes
        + ", http="
        + http
        + ", brokerGrace="
        + brokerGrace
        + ", listDecoder="
        + listDecoder.getClass().getSimpleName()
        + ", binding="
        + binding()
        + ", security="
        + security
        + "]";
  }
}
