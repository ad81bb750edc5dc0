package io.insession.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.insession.catalog.SyntheticCatalog;
import io.insession.data.Click;
import io.insession.schemas.EventType;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.ScoredItem;
import io.insession.schemas.WeblogEvent;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;

/**
 * SIMULATED shoppers against a stand-in topology: a producer that answers each event at once with a
 * list made by a given function of the event, as the recommendations topic would.
 */
class SimulatedShoppersTest {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-27T12:00:00Z"), ZoneOffset.UTC);
  private static final String TOPIC = "weblog";

  /** Shoppers that click, cart and buy every wanted item at rank 1, and nothing else. */
  private static final ShopperModel CERTAIN = new ShopperModel(1, 1, 0, 0, 1, 0, 1, 0);

  @Test
  void shouldClickCartAndBuyTheNextItemShownFirstWithTheListsIdAndTheCataloguePrice() {
    final Map<String, List<Click>> sessions = Map.of("s-1", clicks("s-1", "a", "b", "c"));
    final Map<String, String> successor = Map.of("a", "b", "b", "c");
    // each list leads with the item the session views next
    final Topology topology =
        new Topology(
            event ->
                items(
                    successor.getOrDefault(event.getItemId(), "z1"),
                    "z2",
                    event.getItemId() + "-x"));

    final SimulatedShoppers.Result result = topology.run(CERTAIN, sessions);

    assertThat(result).isEqualTo(new SimulatedShoppers.Result(7, 1, false));
    final List<WeblogEvent> events = topology.events;
    assertThat(events)
        .extracting(e -> e.getEventType() + " " + e.getItemId())
        .containsExactly(
            "PRODUCT_VIEW a", // replayed
            "PRODUCT_VIEW b", // clicked at rank 1 of the list after a: the recorded view of b
            "ADD_TO_CART b",
            "PURCHASE b",
            "PRODUCT_VIEW c", // clicked at rank 1 of the list after the purchase of b
            "ADD_TO_CART c",
            "PURCHASE c");
    assertThat(events.get(0).getRecommendationId()).isNull();
    assertThat(events.get(0).getAttributes()).isEmpty();
    // the click carries the id of the list its session was shown last: that of the event before
    assertThat(events.get(1).getRecommendationId()).isEqualTo(topology.listOf(events.get(0)));
    assertThat(events.get(4).getRecommendationId()).isEqualTo(topology.listOf(events.get(3)));
    for (final WeblogEvent event : events.subList(1, events.size())) {
      assertThat(event.getAttributes()).containsEntry("source", "SIMULATED");
    }
    final WeblogEvent purchase = events.get(3);
    assertThat(purchase.getPrice())
        .isEqualTo(SyntheticCatalog.item("b", 1, Instant.EPOCH).getPrice().doubleValue())
        .isPositive();
    assertThat(purchase.getQuantity()).isEqualTo(1);
    assertThat(purchase.getCurrency()).isEqualTo("EUR");
    assertThat(purchase.getOrderId()).isEqualTo("SIMULATED-s-1-0");
    assertThat(events.get(6).getOrderId()).isEqualTo("SIMULATED-s-1-1");
    assertThat(topology.shoppers.tally("B").clicked()).isEqualTo(2);
    assertThat(topology.shoppers.tally("B").orders()).isEqualTo(2);
    assertThat(topology.shoppers.tally("B").looked())
        .as("after a, after the purchase of b, after the purchase of c")
        .isEqualTo(3);
    assertThat(topology.shoppers.tally("B").revenue())
        .isEqualTo(SimulatedShoppers.price("b") + SimulatedShoppers.price("c"));
  }

  @Test
  void shouldOnlyReplayTheRecordedViewsWhenTheListsHoldNothingWanted() {
    final Map<String, List<Click>> sessions = new LinkedHashMap<>();
    sessions.put("s-1", clicks("s-1", "a", "b", "c"));
    sessions.put("s-2", clicks("s-2", "d"));
    final Topology topology = new Topology(event -> items("p1", "p2", "p3"));

    final SimulatedShoppers.Result result = topology.run(CERTAIN, sessions);

    assertThat(result).isEqualTo(new SimulatedShoppers.Result(4, 2, false));
    assertThat(topology.events)
        .extracting(e -> e.getSessionId() + " " + e.getEventType() + " " + e.getItemId())
        .containsExactlyInAnyOrder(
            "s-1 PRODUCT_VIEW a", "s-1 PRODUCT_VIEW b", "s-1 PRODUCT_VIEW c", "s-2 PRODUCT_VIEW d");
    assertThat(topology.events).allMatch(e -> e.getRecommendationId() == null);
    assertThat(topology.shoppers.tally("B").looked()).isEqualTo(4);
    assertThat(topology.shoppers.tally("B").clicked()).isZero();
  }

  @Test
  void shouldClickOnlyShownItemsAndDoTheSameOnEveryRunWithTheSameSeed() {
    final Map<String, List<Click>> sessions = new LinkedHashMap<>();
    for (int s = 0; s < 60; s++) {
      final List<String> items = new ArrayList<>();
      for (int i = 0; i < 2 + s % 5; i++) {
        items.add("i" + (s * 7 + i * 3) % 40);
      }
      sessions.put("s-" + s, clicks("s-" + s, items.toArray(String[]::new)));
    }
    // a list of the ten items after the event's item
    final Function<WeblogEvent, List<String>> lists =
        event -> {
          final int at = Integer.parseInt(event.getItemId().substring(1));
          final List<String> items = new ArrayList<>();
          for (int i = 1; i <= 10; i++) {
            items.add("i" + (at + i) % 40);
          }
          return items;
        };

    final Topology first = new Topology(lists);
    final SimulatedShoppers.Result result = first.run(ShopperModel.withSeed(42), sessions);
    final Topology second = new Topology(lists);
    second.run(ShopperModel.withSeed(42), sessions);

    assertThat(result.stalled()).isFalse();
    assertThat(result.sessions()).isEqualTo(60);
    assertThat(first.events).hasSize(result.sent());
    final Map<String, RecommendationList> shownLast = new HashMap<>();
    int clicked = 0;
    int bought = 0;
    for (final WeblogEvent event : first.events) {
      final RecommendationList before = shownLast.get(event.getSessionId());
      if (event.getRecommendationId() != null) {
        clicked++;
        assertThat(event.getEventType()).isEqualTo(EventType.PRODUCT_VIEW);
        assertThat(event.getRecommendationId()).isEqualTo(before.getRecommendationId());
        assertThat(before.getItems()).extracting(ScoredItem::getItemId).contains(event.getItemId());
      }
      if (event.getEventType() == EventType.PURCHASE) {
        bought++;
        assertThat(event.getPrice()).isEqualTo(SimulatedShoppers.price(event.getItemId()));
        assertThat(event.getOrderId()).startsWith("SIMULATED-" + event.getSessionId() + "-");
        assertThat(event.getCurrency()).isEqualTo("EUR");
        assertThat(event.getQuantity()).isBetween(1, 2);
      }
      shownLast.put(event.getSessionId(), first.lists.get(event.getEventId()));
    }
    assertThat(clicked).isPositive();
    assertThat(bought).isPositive();
    assertThat(bySession(second.events)).isEqualTo(bySession(first.events));
  }

  /** Each session's events as "type item list-position" lines, in order. */
  private static Map<String, List<String>> bySession(final List<WeblogEvent> events) {
    final Map<String, List<String>> lines = new HashMap<>();
    for (final WeblogEvent event : events) {
      lines
          .computeIfAbsent(event.getSessionId(), s -> new ArrayList<>())
          .add(
              event.getEventType()
                  + " "
                  + event.getItemId()
                  + " "
                  + (event.getRecommendationId() != null)
                  + " "
                  + event.getQuantity()
                  + " "
                  + event.getOrderId());
    }
    return lines;
  }

  private static List<Click> clicks(final String session, final String... items) {
    final List<Click> clicks = new ArrayList<>();
    for (final String item : items) {
      clicks.add(new Click(session, item, null));
    }
    return clicks;
  }

  private static List<String> items(final String... ids) {
    return List.of(ids);
  }

  /** Shoppers wired to a producer that answers every event with its list at once. */
  private static final class Topology {
    private final Function<WeblogEvent, List<String>> listFor;
    private final List<WeblogEvent> events = new ArrayList<>();
    private final Map<String, String> listIds = new HashMap<>();
    private final Map<String, RecommendationList> lists = new HashMap<>();
    private SimulatedShoppers shoppers;

    Topology(final Function<WeblogEvent, List<String>> listFor) {
      this.listFor = listFor;
    }

    SimulatedShoppers.Result run(
        final ShopperModel model, final Map<String, List<Click>> sessions) {
      final MockProducer<String, WeblogEvent> producer =
          new MockProducer<>(true, null, new NoSerializer<>(), new NoSerializer<>()) {
            @Override
            public synchronized Future<RecordMetadata> send(
                final ProducerRecord<String, WeblogEvent> record) {
              answer(record.value());
              return super.send(record);
            }
          };
      shoppers =
          new SimulatedShoppers(
              model, producer, TOPIC, CLOCK, new PrintStream(OutputStream.nullOutputStream()));
      try {
        return shoppers.run(sessions, 100_000, Duration.ofSeconds(5), e -> {}, () -> false);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }

    private void answer(final WeblogEvent event) {
      events.add(event);
      final String id = "rec-" + events.size();
      final List<ScoredItem> items = new ArrayList<>();
      for (final String item : listFor.apply(event)) {
        items.add(ScoredItem.newBuilder().setItemId(item).setScore(0.5f).build());
      }
      final RecommendationList list =
          RecommendationList.newBuilder()
              .setRecommendationId(id)
              .setSessionId(event.getSessionId())
              .setItems(items)
              .setModelName("stand-in")
              .setModelVersion("1")
              .setVariant("B")
              .setFallback(false)
              .setTriggerEventId(event.getEventId())
              .setTriggerEventTime(event.getEventTime())
              .setEmittedAt(event.getEventTime())
              .build();
      listIds.put(event.getEventId(), id);
      lists.put(event.getEventId(), list);
      shoppers.accept(list);
    }

    /** The id of the list {@code event} triggered. */
    String listOf(final WeblogEvent event) {
      return listIds.get(event.getEventId());
    }
  }

  /** MockProducer wants serializers; records never leave it. */
  private static final class NoSerializer<T> implements Serializer<T> {
    @Override
    public byte[] serialize(final String topic, final T data) {
      return new byte[0];
    }
  }
}
