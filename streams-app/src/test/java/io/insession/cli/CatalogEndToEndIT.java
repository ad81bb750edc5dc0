package io.insession.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.insession.catalog.CatalogJson;
import io.insession.catalog.SyntheticCatalog;
import io.insession.config.InSessionConfig;
import io.insession.kafka.EmbeddedKafkaBroker;
import io.insession.kafka.Topics;
import io.insession.runtime.RecommenderService;
import io.insession.schemas.CatalogItem;
import io.insession.schemas.WeblogEvent;
import io.insession.testing.CatalogueInStore;
import io.insession.testing.HttpJson;
import io.insession.testing.TestEvents;
import io.insession.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalogue end to end on a real KRaft broker in this JVM: {@code insession catalog load} puts
 * a synthetic catalogue and then an update onto the item-catalog topic; the running service reads
 * them into its global store, and its lists (read through the lookup API) follow them.
 */
class CatalogEndToEndIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final int LENGTH = 5;

  @TempDir Path dir;

  @Test
  void shouldDropAnItemFromListsOnceALoadedUpdateSaysItSoldOut() throws Exception {
    final EmbeddedKafkaBroker.Ports ports = EmbeddedKafkaBroker.findFreePorts();
    final RecommenderService service =
        RecommenderService.builder(config()).embeddedBroker(ports, 2).stream().lookupApi().start();
    try {
      assertThat(service.streams().awaitRunning(TIMEOUT)).isTrue();
      final String bootstrap = service.config().bootstrapServers();
      final List<String> items = new ArrayList<>();
      for (int i = 0; i < TestModels.tinyBundle().numItems(); i++) {
        items.add(TestModels.tinyItemId(i));
      }
      final List<CatalogItem> catalogue = new ArrayList<>();
      for (final CatalogItem item : SyntheticCatalog.generate(items, 1, Instant.now())) {
        catalogue.add(CatalogItem.newBuilder(item).setInStock(true).build());
      }
      assertThat(load(bootstrap, "catalogue.jsonl", catalogue).code()).isZero();
      final HttpJson api = new HttpJson(service.lookupApiPort());
      final String viewed = TestModels.tinyItemId(3);
      final AtomicInteger sessions = new AtomicInteger();

      // the catalogue is read in the background: the whole of it in the stream's store first (with
      // part of it, "available" drops the items not yet listed and fills the list from further
      // down)
      await().atMost(TIMEOUT).until(() -> CatalogueInStore.entries(service) == catalogue.size());
      final List<String> first =
          await()
              .atMost(TIMEOUT)
              .until(
                  () -> listOf(service, api, "a" + sessions.incrementAndGet(), viewed),
                  list -> list.size() == LENGTH);
      final String soldOut = first.get(0);
      final CatalogItem update =
          CatalogItem.newBuilder(
                  catalogue.stream().filter(i -> i.getItemId().equals(soldOut)).findFirst().get())
              .setInStock(false)
              .build();
      final CliRun loaded = load(bootstrap, "update.jsonl", List.of(update));
      assertThat(loaded.code()).isZero();
      assertThat(loaded.out()).contains("Loaded 1 items and 0 deletions");

      final List<String> after =
          await()
              .atMost(TIMEOUT)
              .until(
                  () -> listOf(service, api, "b" + sessions.incrementAndGet(), viewed),
                  list -> !list.contains(soldOut));
      assertThat(after).hasSize(LENGTH).doesNotContain(soldOut);
      assertThat(after.subList(0, LENGTH - 1)).isEqualTo(first.subList(1, LENGTH));
      // and every later list too, now that the store holds the update
      assertThat(listOf(service, api, "c1", viewed)).isEqualTo(after);
      // the lookup API's own copy of the catalogue, labelled synthetic
      await()
          .atMost(TIMEOUT)
          .untilAsserted(
              () -> {
                final JsonNode item =
                    api.get("/v1/sessions/c1/recommendations?include=items")
                        .body()
                        .get("items")
                        .get(0)
                        .get("item");
                assertThat(item.get("itemId").asText()).isEqualTo(after.get(0));
                assertThat(item.get("synthetic").asBoolean()).isTrue();
                assertThat(item.get("title").asText()).startsWith("Synthetic item ");
              });
    } finally {
      service.close();
    }
  }

  private CliRun load(final String bootstrap, final String name, final List<CatalogItem> items)
      throws Exception {
    final StringBuilder lines = new StringBuilder();
    for (final CatalogItem item : items) {
      lines.append(CatalogJson.toJson(item)).append('\n');
    }
    final Path file = Files.writeString(dir.resolve(name), lines, StandardCharsets.UTF_8);
    return CliRun.execute(
        List.of("catalog", "load", file.toString(), "--bootstrap-servers", bootstrap));
  }

  /** The list that a new session's view of {@code item} gets. */
  private static List<String> listOf(
      final RecommenderService service, final HttpJson api, final String session, final String item)
      throws Exception {
    final WeblogEvent event = TestEvents.view(session, session + "-e1", item, Instant.now());
    final Topics topics = Topics.from(service.config());
    try (KafkaProducer<String, WeblogEvent> producer =
        new KafkaProducer<>(
            service.config().clientProperties(),
            topics.weblog().keySerde().serializer(),
            topics.weblog().valueSerde().serializer())) {
      producer.send(new ProducerRecord<>(topics.weblog().name(), session, event)).get();
    }
    // the session's own list, not the live trending fallback it gets before (the default)
    final String path = "/v1/sessions/" + session + "/recommendations?fallback=none";
    await().atMost(TIMEOUT).until(() -> api.get(path).status() == 200);
    final List<String> ids = new ArrayList<>();
    for (final JsonNode entry : api.get(path).body().get("items")) {
      ids.add(entry.get("itemId").asText());
    }
    return ids;
  }

  private InSessionConfig config() {
    final Map<String, String> settings = new HashMap<>();
    settings.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
    settings.put(InSessionConfig.APPLICATION_ID, "catalog-it");
    // authentication has its own tests (ApiSecurityIT)
    settings.put(InSessionConfig.API_AUTH, InSessionConfig.AUTH_NONE);
    settings.put(InSessionConfig.MODEL_BUNDLE, TestModels.tinyBundleDir().toString());
    settings.put(InSessionConfig.RECOMMENDATIONS_COUNT, Integer.toString(LENGTH));
    settings.put(InSessionConfig.RULES_CHAIN, "available,exclude-seen");
    settings.put(InSessionConfig.API_CATALOG_ENABLED, "true");
    settings.put(InSessionConfig.API_PORT, "0");
    settings.put(InSessionConfig.API_METRICS_PORT, "0");
    settings.put(InSessionConfig.METRICS_PORT, "0");
    return InSessionConfig.of(settings);
  }
}
