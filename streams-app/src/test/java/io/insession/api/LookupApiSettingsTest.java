package io.insession.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.insession.config.InSessionConfig;
import io.insession.kafka.Topics;
import io.insession.runtime.LookupSettings;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class LookupApiSettingsTest {

  @Test
  void shouldDefaultToPort8080AndTheSessionGap() {
    final LookupApiSettings settings = LookupApiSettings.of("localhost:9092", "recs");
    assertThat(settings.port()).isEqualTo(8080);
    assertThat(settings.cacheTtl()).isEqualTo(Duration.ofMinutes(30));
    assertThat(settings.cacheMaxEntries()).isEqualTo(LookupApiSettings.DEFAULT_CACHE_MAX_ENTRIES);
    assertThat(settings.kafkaProperties()).isEmpty();
  }

  @Test
  void shouldRejectBadValues() {
    final LookupApiSettings ok = LookupApiSettings.of("localhost:9092", "recs");
    assertThrows(IllegalArgumentException.class, () -> LookupApiSettings.of(" ", "recs"));
    assertThrows(IllegalArgumentException.class, () -> LookupApiSettings.of("k:9092", ""));
    assertThrows(IllegalArgumentException.class, () -> ok.withPort(-1));
    assertThrows(IllegalArgumentException.class, () -> ok.withPort(70_000));
    assertThrows(IllegalArgumentException.class, () -> ok.withCache(0, Duration.ofMinutes(1)));
    assertThrows(IllegalArgumentException.class, () -> ok.withCache(10, Duration.ZERO));
  }

  @Test
  void shouldCollectToTheWeblogTopicByDefaultInTheLookupCommandsSettings() {
    final LookupApiSettings settings =
        LookupSettings.from(
            InSessionConfig.of(
                Map.of(
                    InSessionConfig.WEBLOG_TOPIC, "clicks",
                    InSessionConfig.API_COLLECTOR_MAX_BATCH_EVENTS, "50",
                    InSessionConfig.API_COLLECTOR_ACK_TIMEOUT_MS, "2500",
                    InSessionConfig.API_STREAM_MAX_SUBSCRIBERS, "7",
                    InSessionConfig.API_STREAM_HEARTBEAT_MS, "1000",
                    InSessionConfig.API_AUTH, InSessionConfig.AUTH_NONE)));

    assertThat(settings.collector()).isNotNull();
    assertThat(settings.collector().weblog().name()).isEqualTo("clicks");
    assertThat(settings.collector().maxBatchEvents()).isEqualTo(50);
    assertThat(settings.collector().ackTimeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(settings.push()).isEqualTo(new PushSettings(7, Duration.ofSeconds(1)));
    assertThat(settings.toString()).contains("topic=clicks");
  }

  @Test
  void shouldCollectNothingWhenTheCollectorIsDisabledOrByDefaultInCode() {
    final LookupApiSettings disabled =
        LookupSettings.from(
            InSessionConfig.of(
                Map.of(
                    InSessionConfig.API_COLLECTOR_ENABLED,
                    "false",
                    InSessionConfig.API_AUTH,
                    InSessionConfig.AUTH_NONE)));
    assertThat(disabled.collector()).isNull();
    assertThat(LookupApiSettings.of("localhost:9092", "recs").collector()).isNull();
    assertThat(LookupApiSettings.of("localhost:9092", "recs").push())
        .isEqualTo(PushSettings.defaults());
  }

  @Test
  void shouldRejectBadCollectorAndPushValues() {
    final Topics topics = Topics.from(InSessionConfig.of(Map.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> new CollectorSettings(topics.weblog(), 0, Duration.ofSeconds(1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> new CollectorSettings(topics.weblog(), 10, Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> new PushSettings(0, Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, () -> new PushSettings(1, Duration.ZERO));
  }

  @Test
  void shouldMaskSecretsInToString() {
    final LookupApiSettings settings =
        LookupApiSettings.of("localhost:9092", "recs")
            .withKafkaProperties(
                Map.of(
                    "sasl.jaas.config", "org.apache...PlainLoginModule password=\"hunter2\";",
                    "ssl.truststore.password", "changeit",
                    "security.protocol", "SASL_SSL"));
    assertThat(settings.toString())
        .doesNotContain("hunter2")
        .doesNotContain("changeit")
        .contains("security.protocol=SASL_SSL");
  }

  @Test
  void shouldLetPassThroughPropertiesNotOverrideWhatTheReaderDependsOn() {
    final LookupApiSettings settings =
        LookupApiSettings.of("broker:9092", "recs")
            .withKafkaProperties(
                Map.of(
                    "isolation.level", "read_uncommitted",
                    "group.id", "someone",
                    "client.id", "api-1",
                    "security.protocol", "SSL"));
    final Map<String, Object> props = LatestRecommendations.consumerProperties(settings);
    assertThat(props)
        .containsEntry("bootstrap.servers", "broker:9092")
        .containsEntry("isolation.level", "read_committed")
        .containsEntry("enable.auto.commit", "false")
        .containsEntry("allow.auto.create.topics", "false")
        .containsEntry("client.id", "api-1")
        .containsEntry("security.protocol", "SSL")
        .doesNotContainKey("group.id");
  }

  @Test
  void shouldRefuseAnIdleTimeoutThatWouldCloseOpenStreams() {
    final LookupApiSettings settings = LookupApiSettings.of("broker:9092", "recs");
    final HttpLimits limits = new HttpLimits(1024, 16, Duration.ofSeconds(10));

    final IllegalArgumentException refused =
        assertThrows(IllegalArgumentException.class, () -> settings.withHttp(limits));
    assertThat(refused.getMessage())
        .contains("must be longer than the push stream's heartbeat (PT15S)");
    assertThat(
            settings.withPush(new PushSettings(10, Duration.ofSeconds(5))).withHttp(limits).http())
        .isEqualTo(limits);
  }

  @Test
  void shouldTakeTheWaitAndThreadBoundsFromTheConfigAndRejectBadOnes() {
    final LookupApiSettings settings =
        LookupSettings.from(
            InSessionConfig.of(
                Map.of(
                    InSessionConfig.API_AUTH, InSessionConfig.AUTH_NONE,
                    InSessionConfig.API_COLLECTOR_WAIT_MAX_REQUESTS, "7",
                    InSessionConfig.API_HTTP_MAX_THREADS, "40")));
    assertThat(settings.collector().maxWaiting()).isEqualTo(7);
    assertThat(settings.http().maxThreads()).isEqualTo(40);
    final LookupApiSettings defaults =
        LookupSettings.from(
            InSessionConfig.of(Map.of(InSessionConfig.API_AUTH, InSessionConfig.AUTH_NONE)));
    assertThat(defaults.collector().maxWaiting()).isEqualTo(5000);
    assertThat(defaults.http().maxThreads()).isEqualTo(250);

    assertThrows(
        ConfigException.class,
        () -> InSessionConfig.of(Map.of(InSessionConfig.API_COLLECTOR_WAIT_MAX_REQUESTS, "0")));
    assertThrows(
        ConfigException.class,
        () -> InSessionConfig.of(Map.of(InSessionConfig.API_HTTP_MAX_THREADS, "4")));
    assertThrows(IllegalArgumentException.class, () -> HttpLimits.defaults().withMaxThreads(7));
    final Topics topics = Topics.from(InSessionConfig.of(Map.of()));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new CollectorSettings(
                topics.weblog(), 10, Duration.ofSeconds(1), settings.collector().limits(), 0));
  }

  @Test
  void shouldTakeTheNewSettingsFromTheConfig() {
    final LookupApiSettings settings =
        LookupSettings.from(
            InSessionConfig.of(
                Map.of(
                    InSessionConfig.API_CACHE_MAX_BYTES, "2097152",
                    InSessionConfig.EVENT_MAX_SESSION_ID_CHARS, "64",
                    InSessionConfig.API_IDLE_TIMEOUT_MS, "20000",
                    InSessionConfig.API_READY_BROKER_GRACE_MS, "3000",
                    InSessionConfig.EVENT_TIME_MAX_FUTURE_MS, "60000",
                    InSessionConfig.API_AUTH, InSessionConfig.AUTH_NONE,
                    InSessionConfig.API_BIND_ADDRESS, "127.0.0.1",
                    InSessionConfig.API_METRICS_PORT, "9182",
                    InSessionConfig.METRICS_BIND_ADDRESS, "10.0.0.7",
                    InSessionConfig.API_STREAM_MAX_PER_CLIENT, "3")));
    assertThat(settings.binding()).isEqualTo(new ApiBinding("127.0.0.1", 8080, "10.0.0.7", 9182));
    assertThat(settings.http().maxStreamsPerClient()).isEqualTo(3);
    assertThat(settings.security().authRequired()).isFalse();
    assertThat(settings.cacheMaxBytes()).isEqualTo(2_097_152L);
    assertThat(settings.http().maxSessionIdChars()).isEqualTo(64);
    assertThat(settings.http().idleTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(settings.brokerGrace()).isEqualTo(Duration.ofSeconds(3));
    assertThat(settings.collector().limits().maxFutureMs()).isEqualTo(60_000L);
    assertThat(settings.collector().limits().maxSessionIdChars()).isEqualTo(64);
  }

  @Test
  void shouldRequireCredentialsByDefaultAndSayHowToGiveThem() {
    final ConfigException e =
        assertThrows(
            ConfigException.class, () -> LookupSettings.from(InSessionConfig.of(Map.of())));
    assertThat(e.getMessage())
        .contains(InSessionConfig.API_AUTH_KEYS_FILE)
        .contains(InSessionConfig.API_AUTH_JWKS_FILE)
        .contains("insession.api.auth=none");
  }

  @Test
  void shouldRefuseABatchLimitAboveTheJsonArrayLimit() {
    final HttpLimits limits = new HttpLimits(1024, 16, Duration.ofSeconds(30));
    assertThrows(
        IllegalArgumentException.class,
        () -> limits.requireArraysOf(limits.maxJsonArrayElements() + 1));
  }
}
