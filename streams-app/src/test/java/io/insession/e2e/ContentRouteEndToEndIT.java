package io.insession.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.insession.catalog.CatalogEntry;
import io.insession.catalog.CatalogWriter;
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
 * The content route end to end on a real KRaft broker in this JVM, with the catalogue and weblog
 * topics: a SYNTHETIC catalogue of the model's items (listed weeks ago), then a product the model
 * has never seen, written to the catalogue topic while the service runs. The next lists of sessions
 * viewing an item alike it carry it, and a session that views it gets a content-based list instead
 * of the popular items.
 */
class ContentRouteEndToEndIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final int LENGTH = 5;
  private static final String NEW_ITEM = "synthetic-new-item-1";

  @TempDir Path dir;

  private final AtomicInteger sessions = new AtomicInteger();

  @Test
  void shouldRecommendANewProductAndServeContentBasedListsToSessionsThatViewIt() throws Exception {
    final RecommenderService service =
        RecommenderService.builder(config())
            .embeddedBroker(EmbeddedKafkaBroker.findFreePorts(), 2)
            .stream()
            .lookupApi()
            .start();
    try {
      assertThat(service.streams().awaitRunning(TIMEOUT)).isTrue();
      final Instant now = Instant.now();
      final List<String> ids = new ArrayList<>();
      for (int i = 0; i < TestModels.tinyBundle().numItems(); i++) {
        ids.add(TestModels.tinyItemId(i));
      }
      final List<CatalogEntry> catalogue = new ArrayList<>();
      for (final CatalogItem item :
          SyntheticCatalog.generate(ids, 1, now.minus(Duration.ofDays(30)))) {
        catalogue.add(CatalogEntry.put(CatalogItem.newBuilder(item).setInStock(true).build()));
      }
      CatalogWriter.write(service.config(), catalogue, TIMEOUT);
      // the whole catalogue in the stream's global store first: with part of it, the rule
      // "available" drops the items not yet listed and the list is filled from further down
      await().atMost(TIMEOUT).until(() -> CatalogueInStore.entries(service) == catalogue.size());
      final HttpJson api = new HttpJson(service.lookupApiPort());
      final String viewed = TestModels.tinyItemId(3);
      // lists appear once the global store holds the catalogue (available drops unlisted items)
      final List<String> before =
          await()
              .atMost(TIMEOUT)
              .until(() -> listOf(service, api, viewed), l -> l.size() == LENGTH);
      assertThat(before).doesNotContain(NEW_ITEM);
      // the popular items, as a session viewing an item nobody knows gets them
      final List<String> popular = listOf(service, api, "unknown-to-all");

      final CatalogItem twin = catalogue.get(3).item();
      final CatalogItem product =
          CatalogItem.newBuilder(twin)
              .setItemId(NEW_ITEM)
              .setTitle("Synthetic new item 1")
              .setFirstSeen(Instant.now())
              .build();
      CatalogWriter.write(service.config(), List.of(CatalogEntry.put(product)), TIMEOUT);

      final List<String> after =
          await()
              .atMost(TIMEOUT)
              .until(() -> listOf(service, api, viewed), l -> l.contains(NEW_ITEM));
      // as alike the viewed item as an item can be, and just listed: the top of the list
      assertThat(after.get(0)).isEqualTo(NEW_ITEM);
      assertThat(after.subList(1, LENGTH)).isEqualTo(before.subList(0, LENGTH - 1));

      final List<String> content = listOf(service, api, NEW_ITEM);
      assertThat(content).hasSize(LENGTH).doesNotContain(NEW_ITEM).isNotEqualTo(popular);
      // the most alike first: an item of the same category path and brand (its twin, or another)
      final CatalogItem first =
          catalogue.stream()
              .map(CatalogEntry::item)
              .filter(item -> item.getItemId().equals(content.get(0)))
              .findFirst()
              .orElseThrow();
      assertThat(first.getCategoryPath()).isEqualTo(product.getCategoryPath());
      assertThat(first.getBrand()).isEqualTo(product.getBrand());
    } finally {
      service.close();
    }
  }

  /** The list that a new session's view of {@code item} gets. */
  private List<String> listOf(
      final RecommenderService service, final HttpJson api, final String item) throws Exception {
    final String session = "s" + sessions.incrementAndGet();
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
    settings.put(InSessionConfig.APPLICATION_ID, "content-route-it");
    settings.put(InSessionConfig.API_AUTH, InSessionConfig.AUTH_NONE);
    settings.put(InSessionConfig.MODEL_BUNDLE, TestModels.tinyBundleDir().toString());
    settings.put(InSessionConfig.RECOMMENDATIONS_COUNT, Integer.toString(LENGTH));
    settings.put(InSessionConfig.RULES_CHAIN, "content,available,exclude-seen");
    settings.put(InSessionConfig.API_PORT, "0");
    settings.put(InSessionConfig.API_METRICS_PORT, "0");
    settings.put(InSessionConfig.METRICS_PORT, "0");
    return InSessionConfig.of(settings);
  }
}
