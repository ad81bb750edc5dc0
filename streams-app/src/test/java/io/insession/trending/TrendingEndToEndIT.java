package io.insession.trending;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.insession.catalog.SyntheticCatalog;
import io.insession.config.InSessionConfig;
import io.insession.kafka.EmbeddedKafkaBroker;
import io.insession.kafka.TopicSetup;
import io.insession.kafka.Topics;
import io.insession.runtime.InSessionTopics;
import io.insession.runtime.RecommenderService;
import io.insession.schemas.CatalogItem;
import io.insession.schemas.WeblogEvent;
import io.insession.testing.HttpJson;
import io.insession.testing.TestEvents;
import io.insession.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live trending end to end on a real KRaft broker in this JVM, two partitions: weblog events and a
 * catalogue go in; the lookup API answers sessions with no list with the live trending list (the
 * bundle's popularity list before anything was counted), overall and per category, merged from two
 * counting tasks; and the topology serves the live list to a session whose item the model does not
 * know.
 */
class TrendingEndToEndIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final int LENGTH = 5;
  private static final int PARTITIONS = 2;

  @TempDir Path dir;

  private final AtomicInteger sessions = new AtomicInteger();

  @Test
  void shouldServeLiveTrendingAsTheFallbackAndTheColdStart() throws Exception {
    // items counted by different tasks: the repartition topic is keyed by item id (murmur2)
    final String hot = itemOnPartition(0, 0);
    final String warm = itemOnPartition(1, 0);
    final String cool = itemOnPartition(0, 1);
    final EmbeddedKafkaBroker.Ports ports = EmbeddedKafkaBroker.findFreePorts();
    final RecommenderService service =
        RecommenderService.builder(config()).embeddedBroker(ports, PARTITIONS).stream()
            .lookupApi()
            .start();
    try (service) {
      assertThat(service.streams().awaitRunning(TIMEOUT)).isTrue();
      final HttpJson api = new HttpJson(service.lookupApiPort());
      final Topics topics = Topics.from(service.config());
      // the service (as `insession run`) created the trending topic with the others
      try (Admin admin = Admin.create(service.config().clientProperties())) {
        assertThat(admin.listTopics().names().get()).contains(topics.trending().name());
        assertThat(
                TopicSetup.partitionCount(admin, topics.trending().name(), Duration.ofSeconds(30)))
            .isEqualTo(1);
        assertThat(
                TopicSetup.configDrift(
                    admin, List.of(InSessionTopics.trending(service.config())), TIMEOUT))
            .as("compacted")
            .isEmpty();
      }

      // nothing counted yet: the bundle's frozen popularity list, marked as a fallback
      final JsonNode before = api.get("/v1/sessions/nobody/recommendations").body();
      assertThat(before.get("fallback").asBoolean()).isTrue();
      assertThat(before.get("fallbackSource").asText()).isEqualTo("popular");
      assertThat(before.get("items")).hasSize(LENGTH);

      try (KafkaProducer<String, CatalogItem> catalogue =
              new KafkaProducer<>(
                  service.config().clientProperties(),
                  topics.catalog().keySerde().serializer(),
                  topics.catalog().valueSerde().serializer());
          KafkaProducer<String, WeblogEvent> weblog =
              new KafkaProducer<>(
                  service.config().clientProperties(),
                  topics.weblog().keySerde().serializer(),
                  topics.weblog().valueSerde().serializer())) {
        catalogue.send(listed(topics, hot, "Shoes", "Running")).get();
        catalogue.send(listed(topics, warm, "Books")).get();
        for (int i = 0; i < 3; i++) {
          view(weblog, topics, hot);
        }
        // the counting task reads the category when it counts: once the catalogue has reached
        // its global store, the next view of the hot item puts it under its categories
        await()
            .atMost(TIMEOUT)
            .until(
                () -> {
                  view(weblog, topics, hot);
                  final JsonNode shoes =
                      api.get("/v1/sessions/nobody/recommendations?category=Shoes").body();
                  return "category:Shoes".equals(shoes.path("scope").asText())
                      && itemIds(shoes.get("items")).equals(List.of(hot));
                });
        view(weblog, topics, warm);
        view(weblog, topics, warm);
        view(weblog, topics, cool);

        // overall: merged from both tasks, best first
        await()
            .atMost(TIMEOUT)
            .untilAsserted(
                () ->
                    assertThat(itemIds(api.get("/v1/sessions/nobody/recommendations")))
                        .containsExactly(hot, warm, cool));
        final JsonNode all = api.get("/v1/sessions/nobody/recommendations").body();
        assertThat(all.get("fallbackSource").asText()).isEqualTo("trending");
        assertThat(all.get("scope").asText()).isEqualTo("all");
        // one hour's half-life: the counts of the last seconds are whole numbers within 0.01
        assertThat(all.get("items").get(1).get("score").doubleValue()).isCloseTo(2.0, within(0.01));
        assertThat(all.get("items").get(2).get("score").doubleValue()).isCloseTo(1.0, within(0.01));

        // per category: the scope's own list; unlisted items count overall only
        final JsonNode running =
            api.get("/v1/sessions/nobody/recommendations?category=Shoes%20%3E%20Running").body();
        assertThat(running.get("scope").asText()).isEqualTo("category:Shoes > Running");
        assertThat(itemIds(running.get("items"))).containsExactly(hot);

        // the topology's cold start: a session whose item the model does not know
        final List<String> cold =
            await()
                .atMost(TIMEOUT)
                .until(
                    () -> topologyList(weblog, topics, api, "never-trained-item"),
                    list ->
                        list.size() >= 3 && list.subList(0, 3).equals(List.of(hot, warm, cool)));
        assertThat(cold).hasSize(LENGTH);

        assertThat(api.get("/v1/sessions/nobody/recommendations?fallback=none").status())
            .isEqualTo(404);
      }
    }
  }

  /**
   * An item of the tiny model whose id lands on {@code partition} of two, skipping {@code skip}.
   */
  private static String itemOnPartition(final int partition, final int skip) {
    int seen = 0;
    for (int i = 0; i < TestModels.tinyBundle().numItems(); i++) {
      final String id = TestModels.tinyItemId(i);
      final byte[] key = id.getBytes(StandardCharsets.UTF_8);
      if (Utils.toPositive(Utils.murmur2(key)) % PARTITIONS == partition && seen++ == skip) {
        return id;
      }
    }
    throw new IllegalStateException("no item on partition " + partition);
  }

  private static ProducerRecord<String, CatalogItem> listed(
      final Topics topics, final String itemId, final String... path) {
    return new ProducerRecord<>(
        topics.catalog().name(),
        itemId,
        CatalogItem.newBuilder(SyntheticCatalog.item(itemId, 1, Instant.now()))
            .setCategoryPath(List.of(path))
            .setInStock(true)
            .build());
  }

  /** One view of {@code itemId} by a new session. */
  private String view(
      final KafkaProducer<String, WeblogEvent> weblog, final Topics topics, final String itemId)
      throws Exception {
    final String session = "s" + sessions.incrementAndGet();
    weblog
        .send(
            new ProducerRecord<>(
                topics.weblog().name(),
                session,
                TestEvents.view(session, session + "-e1", itemId, Instant.now())))
        .get();
    return session;
  }

  /** The list the topology made for a new session's view of {@code itemId} (not the API's). */
  private List<String> topologyList(
      final KafkaProducer<String, WeblogEvent> weblog,
      final Topics topics,
      final HttpJson api,
      final String itemId)
      throws Exception {
    final String path = "/v1/sessions/" + view(weblog, topics, itemId) + "/recommendations";
    final JsonNode list =
        await()
            .atMost(TIMEOUT)
            .until(() -> api.get(path + "?fallback=none"), answer -> answer.status() == 200)
            .body();
    assertThat(list.get("recommendationId").isNull()).isFalse();
    assertThat(list.get("fallback").asBoolean()).isTrue();
    return itemIds(list.get("items"));
  }

  private static List<String> itemIds(final HttpJson.Answer answer) {
    return itemIds(answer.body().path("items"));
  }

  private static List<String> itemIds(final JsonNode items) {
    final List<String> ids = new ArrayList<>();
    items.forEach(item -> ids.add(item.get("itemId").asText()));
    return ids;
  }

  private InSessionConfig config() {
    final Map<String, String> settings = new HashMap<>();
    settings.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
    settings.put(InSessionConfig.APPLICATION_ID, "trending-it");
    // authentication has its own tests (ApiSecurityIT)
    settings.put(InSessionConfig.API_AUTH, InSessionConfig.AUTH_NONE);
    settings.put(InSessionConfig.MODEL_BUNDLE, TestModels.tinyBundleDir().toString());
    settings.put(InSessionConfig.RECOMMENDATIONS_COUNT, Integer.toString(LENGTH));
    settings.put(InSessionConfig.TOPIC_PARTITIONS, Integer.toString(PARTITIONS));
    // live trending is on by default: no insession.trending.enabled here
    settings.put(InSessionConfig.TRENDING_PUBLISH_INTERVAL_MS, "200");
    settings.put(InSessionConfig.API_CATALOG_ENABLED, "true");
    settings.put(InSessionConfig.API_PORT, "0");
    settings.put(InSessionConfig.API_METRICS_PORT, "0");
    settings.put(InSessionConfig.METRICS_PORT, "0");
    return InSessionConfig.of(settings);
  }
}
