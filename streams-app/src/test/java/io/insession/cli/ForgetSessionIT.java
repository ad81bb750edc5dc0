package io.insession.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.insession.config.InSessionConfig;
import io.insession.kafka.TopicSetup;
import io.insession.runtime.InSessionTopics;
import io.insession.runtime.RecommenderService;
import io.insession.schemas.SessionState;
import io.insession.schemas.WeblogEvent;
import io.insession.session.SessionStates;
import io.insession.testing.CommittedLists;
import io.insession.testing.HttpJson;
import io.insession.testing.KafkaTestCluster;
import io.insession.testing.TestEvents;
import io.insession.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forgetting a session on a real broker, through {@code DELETE /v1/sessions/{id}} and through
 * {@code insession sessions forget}: afterwards nothing of it is readable, neither in the store
 * (interactive query), nor as the latest value of its key on the store's changelog or on the
 * recommendations topic (both tombstones), nor from the lookup API (404 with {@code
 * ?fallback=none}; by default the live trending fallback, marked as such); other sessions stay, and
 * a later event of the same id starts a new session.
 */
class ForgetSessionIT {

  @RegisterExtension static final KafkaTestCluster KAFKA = new KafkaTestCluster();

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path stateDir;

  @TempDir Path keysDir;

  /** The frontend's key: reads lists, may not forget. */
  private static final String READER = "reader-key-0123456789";

  /** The operator's key: may forget. */
  private static final String OPERATOR = "operator-key-0123456789";

  @Test
  void shouldLeaveNothingOfAForgottenSessionReadable() throws Exception {
    final InSessionConfig config = config();
    try (RecommenderService service =
            RecommenderService.builder(config).stream().lookupApi().start();
        KafkaProducer<String, WeblogEvent> producer = CommittedLists.producer(config)) {
      assertThat(service.streams().awaitRunning(TIMEOUT)).isTrue();
      try (Admin admin = Admin.create(KAFKA.adminProps())) {
        assertThat(
                TopicSetup.configDrift(
                    admin, List.of(InSessionTopics.recommendations(config)), TIMEOUT))
            .as("the recommendations topic is created compacted, with its retention")
            .isEmpty();
      }
      final HttpJson api = new HttpJson(service.lookupApiPort()).withApiKey(READER);
      final HttpJson operator = new HttpJson(service.lookupApiPort()).withApiKey(OPERATOR);
      final Instant now = Instant.now();
      CommittedLists.send(config, producer, view("gone", "g1", 1, now));
      CommittedLists.send(config, producer, view("gone", "g2", 2, now.plusMillis(1)));
      CommittedLists.send(config, producer, view("kept", "k1", 3, now));
      CommittedLists.send(config, producer, view("cli", "c1", 4, now));
      producer.flush();
      await()
          .atMost(TIMEOUT)
          .until(
              () ->
                  listOf(api, "gone").equals("g2")
                      && listOf(api, "kept").equals("k1")
                      && listOf(api, "cli").equals("c1"));

      assertThat(api.delete("/v1/sessions/gone").status())
          .as("forgetting needs the operate scope")
          .isEqualTo(403);
      assertThat(listOf(api, "gone")).isEqualTo("g2");
      final HttpJson.Answer deleted = operator.delete("/v1/sessions/gone");
      assertThat(deleted.status()).isEqualTo(202);
      assertThat(deleted.body().get("sessionId").asText()).isEqualTo("gone");
      assertThat(deleted.body().get("forgetEventId").asText()).isNotBlank();
      assertThat(api.get("/v1/sessions/gone/recommendations?fallback=none").status())
          .as("the cached list is dropped at once")
          .isEqualTo(404);
      // with live trending on (the default) the session gets the fallback, never its own list
      final JsonNode fallback = api.get("/v1/sessions/gone/recommendations").body();
      assertThat(fallback.get("fallback").asBoolean()).isTrue();
      assertThat(fallback.get("recommendationId").isNull()).isTrue();
      assertThat(operator.delete("/v1/sessions/never-seen").status())
          .as("an unknown session is forgotten all the same")
          .isEqualTo(202);

      final CliRun forget =
          CliRun.execute(
              List.of(
                  "sessions",
                  "forget",
                  "--bootstrap-servers",
                  KAFKA.bootstrapServers(),
                  "-s",
                  InSessionConfig.WEBLOG_TOPIC
                      + "="
                      + config.getString(InSessionConfig.WEBLOG_TOPIC),
                  "cli"));
      assertThat(forget.code()).as(forget.err()).isZero();
      assertThat(forget.out()).contains("Forgetting session cli");

      final ReadOnlyKeyValueStore<String, SessionState> store =
          service
              .streams()
              .streams()
              .store(
                  StoreQueryParameters.fromNameAndType(
                      SessionStates.STORE_NAME, QueryableStoreTypes.keyValueStore()));
      await()
          .atMost(TIMEOUT)
          .untilAsserted(
              () -> {
                assertThat(store.get("gone")).isNull();
                assertThat(store.get("cli")).isNull();
                final Map<String, byte[]> lists =
                    latestPerKey(config.getString(InSessionConfig.RECOMMENDATIONS_TOPIC));
                assertThat(lists).containsKeys("gone", "cli", "never-seen", "kept");
                assertThat(lists.get("gone")).as("tombstone").isNull();
                assertThat(lists.get("cli")).as("tombstone").isNull();
                assertThat(lists.get("never-seen")).as("tombstone").isNull();
                assertThat(lists.get("kept")).isNotNull();
              });
      final Map<String, byte[]> changelog =
          latestPerKey(
              config.getString(InSessionConfig.APPLICATION_ID)
                  + "-"
                  + SessionStates.STORE_NAME
                  + "-changelog");
      assertThat(changelog).containsKeys("gone", "cli", "kept");
      assertThat(changelog.get("gone")).as("tombstone").isNull();
      assertThat(changelog.get("cli")).as("tombstone").isNull();
      assertThat(changelog.get("kept")).isNotNull();
      assertThat(store.get("kept").getEventCount()).isEqualTo(1);
      await()
          .atMost(TIMEOUT)
          .until(() -> api.get("/v1/sessions/cli/recommendations?fallback=none").status() == 404);
      assertThat(api.get("/v1/sessions/gone/recommendations?fallback=none").status())
          .isEqualTo(404);
      assertThat(listOf(api, "kept")).isEqualTo("k1");

      CommittedLists.send(config, producer, view("gone", "g3", 5, Instant.now()));
      producer.flush();
      await().atMost(TIMEOUT).until(() -> listOf(api, "gone").equals("g3"));
      assertThat(store.get("gone").getEventCount()).as("a fresh session").isEqualTo(1);
    }
  }

  @Test
  void shouldExitWithTwoOnABadSessionIdAndOneWhenKafkaCannotBeReached() {
    final CliRun tooLong =
        CliRun.execute(
            List.of(
                "sessions",
                "forget",
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "x".repeat(300)));
    assertThat(tooLong.code()).isEqualTo(2);
    assertThat(tooLong.err()).contains("cannot forget session");

    final CliRun unreachable =
        CliRun.execute(
            List.of(
                "sessions",
                "forget",
                "--bootstrap-servers",
                "localhost:1",
                "-s",
                InSessionConfig.KAFKA_CONNECT_TIMEOUT_MS + "=1000",
                "s-1"));
    assertThat(unreachable.code()).isEqualTo(1);
    assertThat(unreachable.err()).contains("Cannot reach Kafka at localhost:1");
  }

  private InSessionConfig config() throws IOException {
    final Path keys =
        Files.writeString(
            keysDir.resolve("api-keys"),
            "reader recommendations:read " + READER + "\nops operate " + OPERATOR + "\n");
    final Map<String, String> settings = new HashMap<>();
    settings.put(InSessionConfig.API_AUTH_KEYS_FILE, keys.toString());
    settings.put("bootstrap.servers", KAFKA.bootstrapServers());
    settings.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    settings.put(InSessionConfig.APPLICATION_ID, KAFKA.uniqueName("forget"));
    settings.put(InSessionConfig.WEBLOG_TOPIC, KAFKA.uniqueName("weblog"));
    settings.put(InSessionConfig.DEAD_LETTER_TOPIC, KAFKA.uniqueName("dlq"));
    settings.put(InSessionConfig.RECOMMENDATIONS_TOPIC, KAFKA.uniqueName("recommendations"));
    settings.put(InSessionConfig.DEPLOYMENTS_TOPIC, KAFKA.uniqueName("deployments"));
    settings.put(InSessionConfig.TOPIC_PARTITIONS, "2");
    settings.put(InSessionConfig.MODEL_BUNDLE, TestModels.tinyBundleDir().toString());
    settings.put(InSessionConfig.API_PORT, "0");
    settings.put(InSessionConfig.API_METRICS_PORT, "0");
    settings.put(InSessionConfig.METRICS_PORT, "0");
    return InSessionConfig.of(settings);
  }

  private static WeblogEvent view(
      final String session, final String eventId, final int item, final Instant time) {
    return TestEvents.view(session, eventId, TestModels.tinyItemId(item), time);
  }

  /**
   * The trigger event id of the session's own list the lookup API serves, or "" for none ({@code
   * ?fallback=none}: not the trending fallback a session without a list gets by default).
   */
  private static String listOf(final HttpJson api, final String sessionId) {
    final HttpJson.Answer answer =
        api.get("/v1/sessions/" + sessionId + "/recommendations?fallback=none");
    return answer.status() == 200 ? answer.body().get("triggerEventId").asText() : "";
  }

  /**
   * The compacted view of {@code topic}: each key's latest value (null for a tombstone), read
   * committed, from the beginning of every partition to its end.
   */
  private static Map<String, byte[]> latestPerKey(final String topic) {
    final Properties props = new Properties();
    props.putAll(KAFKA.adminProps());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    final Map<String, byte[]> latest = new HashMap<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      final List<TopicPartition> partitions = new ArrayList<>();
      consumer
          .partitionsFor(topic)
          .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      final Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      await()
          .atMost(TIMEOUT)
          .until(
              () -> {
                for (final ConsumerRecord<String, byte[]> rec :
                    consumer.poll(Duration.ofMillis(100))) {
                  latest.put(rec.key(), rec.value());
                }
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
              });
    }
    return latest;
  }
}
