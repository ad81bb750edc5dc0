package io.insession.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.insession.schemas.EventType;
import io.insession.schemas.WeblogEvent;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Parsing and checking the body of POST /v1/events: every kind of bad event, batches, limits. */
class EventParserTest {

  private static final Instant NOW = Instant.parse("2026-11-23T10:15:30.123Z");

  private final AtomicInteger ids = new AtomicInteger();
  private final EventParser parser =
      new EventParser(
          new ObjectMapper(),
          3,
          Clock.fixed(NOW, ZoneOffset.UTC),
          () -> "generated-" + ids.incrementAndGet());

  @Test
  void shouldParseAFullEvent() {
    final List<WeblogEvent> events =
        parser.parse(
            """
            {"eventId": "e-1", "sessionId": "s-1", "userId": "u-1", "eventType": "ADD_TO_CART",
             "itemId": "i-9", "eventTime": "2026-11-23T09:00:00.5Z",
             "attributes": {"page": "/p/9", "price": "9.99"}}
            """);

    assertThat(events).hasSize(1);
    final WeblogEvent event = events.get(0);
    assertThat(event.getEventId()).isEqualTo("e-1");
    assertThat(event.getSessionId()).isEqualTo("s-1");
    assertThat(event.getUserId()).isEqualTo("u-1");
    assertThat(event.getEventType()).isEqualTo(EventType.ADD_TO_CART);
    assertThat(event.getItemId()).isEqualTo("i-9");
    assertThat(event.getEventTime()).isEqualTo(Instant.parse("2026-11-23T09:00:00.500Z"));
    assertThat(event.getAttributes()).isEqualTo(Map.of("page", "/p/9", "price", "9.99"));
  }

  @Test
  void shouldParseTheExperimentFieldsOfAPurchase() {
    final WeblogEvent event =
        parser
            .parse(
                """
                {"sessionId": "s-1", "eventType": "PURCHASE", "itemId": "i-9",
                 "recommendationId": "r-1", "price": 19.99, "quantity": 2, "currency": "EUR",
                 "orderId": "o-1"}
                """)
            .get(0);

    assertThat(event.getRecommendationId()).isEqualTo("r-1");
    assertThat(event.getPrice()).isEqualTo(19.99);
    assertThat(event.getQuantity()).isEqualTo(2);
    assertThat(event.getCurrency()).isEqualTo("EUR");
    assertThat(event.getOrderId()).isEqualTo("o-1");
  }

  @Test
  void shouldRefuseANegativePriceAQuantityOfZeroAndAPriceThatIsNoNumber() {
    final InvalidEventsException e =
        assertThrows(
            InvalidEventsException.class,
            () ->
                parser.parse(
                    """
                    [{"sessionId": "s", "eventType": "PURCHASE", "itemId": "i", "price": -1},
                     {"sessionId": "s", "eventType": "PURCHASE", "itemId": "i", "quantity": 0},
                     {"sessionId": "s", "eventType": "PURCHASE", "itemId": "i", "price": "9"}]
                    """));

    assertThat(e.errors())
        .extracting(EventError::field)
        .containsExactly("price", "quantity", "price");
    assertThat(e.errors().get(0).reason()).contains("finite amount >= 0");
    assertThat(e.errors().get(2).reason()).isEqualTo("price must be a number");
  }

  @Test
  void shouldFillInTheIdAndTimeAndDefaultTheOptionalFields() {
    final WeblogEvent event =
        parser.parse("{\"sessionId\": \"s-1\", \"eventType\": \"page_view\"}").get(0);

    assertThat(event.getEventId()).isEqualTo("generated-1");
    assertThat(event.getEventTime()).isEqualTo(NOW);
    assertThat(event.getEventType()).as("case does not matter").isEqualTo(EventType.PAGE_VIEW);
    assertThat(event.getUserId()).isNull();
    assertThat(event.getItemId()).isNull();
    assertThat(event.getAttributes()).isEmpty();
  }

  @Test
  void shouldReadEventTimeAsEpochMillisIsoWithOffsetOrDigits() {
    final List<WeblogEvent> events =
        parser.parse(
            """
            [{"sessionId": "s", "eventType": "SEARCH", "eventTime": 1795428930123},
             {"sessionId": "s", "eventType": "SEARCH", "eventTime": "2026-11-23T11:15:30.123+01:00"},
             {"sessionId": "s", "eventType": "SEARCH", "eventTime": "1795428930123"}]
            """);

    assertThat(events)
        .extracting(WeblogEvent::getEventTime)
        .containsExactly(
            Instant.ofEpochMilli(1795428930123L), NOW, Instant.ofEpochMilli(1795428930123L));
  }

  @Test
  void shouldRefuseAnUnknownEventTypeListingTheAllowedOnes() {
    final InvalidEventsException e =
        assertThrows(
            InvalidEventsException.class,
            () -> parser.parse("{\"sessionId\": \"s-1\", \"eventType\": \"CLICK\"}"));

    assertThat(e.errors()).hasSize(1);
    final EventError error = e.errors().get(0);
    assertThat(error.index()).isZero();
    assertThat(error.field()).isEqualTo("eventType");
    assertThat(error.reason())
        .contains("\"CLICK\"")
        .contains(
            "PAGE_VIEW, PRODUCT_VIEW, ADD_TO_CART, REMOVE_FROM_CART, PURCHASE, SEARCH, OTHER");
    assertThat(error.allowed())
        .containsExactly(
            "PAGE_VIEW",
            "PRODUCT_VIEW",
            "ADD_TO_CART",
            "REMOVE_FROM_CART",
            "PURCHASE",
            "SEARCH",
            "OTHER");
  }

  @Test
  void shouldGiveTheStreamsReasonForEachBrokenFieldRule() {
    assertThat(error("{\"eventType\": \"SEARCH\"}"))
        .isEqualTo(EventError.of(0, "sessionId", "sessionId is empty"));
    assertThat(error("{\"sessionId\": \"  \", \"eventType\": \"SEARCH\"}"))
        .isEqualTo(EventError.of(0, "sessionId", "sessionId is empty"));
    assertThat(error("{\"eventId\": \"\", \"sessionId\": \"s\", \"eventType\": \"SEARCH\"}"))
        .isEqualTo(EventError.of(0, "eventId", "eventId is empty"));
    assertThat(error("{\"sessionId\": \"s\", \"eventType\": \"PRODUCT_VIEW\"}"))
        .isEqualTo(EventError.of(0, "itemId", "PRODUCT_VIEW event names no itemId"));
    assertThat(error("{\"sessionId\": \"s\", \"eventType\": \"PURCHASE\", \"itemId\": \" \"}"))
        .isEqualTo(EventError.of(0, "itemId", "PURCHASE event names no itemId"));
  }

  @Test
  void shouldRefuseMissingTypesWrongTypesBadTimesAndUnknownFields() {
    assertThat(error("{\"sessionId\": \"s\"}").field()).isEqualTo("eventType");
    assertThat(error("{\"sessionId\": \"s\"}").reason()).isEqualTo("eventType is missing");
    assertThat(error("{\"sessionId\": 42, \"eventType\": \"SEARCH\"}"))
        .isEqualTo(EventError.of(0, "sessionId", "sessionId must be a string"));
    assertThat(error("{\"sessionId\": \"s\", \"eventType\": 3}").field()).isEqualTo("eventType");
    assertThat(error("{\"sessionId\": \"s\", \"eventType\": \"SEARCH\", \"eventTime\": \"soon\"}"))
        .extracting(EventError::field, EventError::reason)
        .containsExactly(
            "eventTime",
            "eventTime \"soon\" is neither an ISO-8601 instant (e.g. 2026-11-23T10:15:30.123Z)"
                + " nor epoch milliseconds");
    assertThat(
            error("{\"sessionId\": \"s\", \"eventType\": \"SEARCH\", \"eventTime\": 1.5}").field())
        .isEqualTo("eventTime");
    assertThat(
            error("{\"sessionId\": \"s\", \"eventType\": \"SEARCH\", \"eventTime\": -1}").reason())
        .isEqualTo("eventTime must not be before 1970-01-01T00:00:00Z");
    assertThat(
            error("{\"sessionId\": \"s\", \"eventType\": \"SEARCH\", \"attributes\": [1]}").field())
        .isEqualTo("attributes");
    assertThat(
            error("{\"sessionId\": \"s\", \"eventType\": \"SEARCH\", \"attributes\": {\"n\": 1}}")
                .reason())
        .isEqualTo("attributes.n must be a string, not 1");
    assertThat(error("{\"sessionId\": \"s\", \"eventType\": \"SEARCH\", \"itemID\": \"i\"}"))
        .extracting(EventError::field)
        .isEqualTo("itemID");
    assertThat(error("[\"not an event\"]"))
        .isEqualTo(EventError.of(0, null, "an event must be a JSON object"));
  }

  @Test
  void shouldRefuseTheWholeBatchWithOneErrorPerBadEvent() {
    final InvalidEventsException e =
        assertThrows(
            InvalidEventsException.class,
            () ->
                parser.parse(
                    """
                    [{"sessionId": "s", "eventType": "SEARCH"},
                     {"sessionId": "s", "eventType": "PRODUCT_VIEW"},
                     {"sessionId": "", "eventType": "NOPE"}]
                    """));

    assertThat(e.getMessage()).isEqualTo("2 of 3 events are invalid; none was accepted");
    assertThat(e.errors()).extracting(EventError::index).containsExactly(1, 2);
    assertThat(e.errors()).extracting(EventError::field).containsExactly("itemId", "eventType");
  }

  @Test
  void shouldRefuseBadBodiesEmptyBatchesAndTooManyEvents() {
    assertThat(bodyError("{not json")).startsWith("body is not JSON");
    assertThat(bodyError("")).startsWith("body is empty");
    assertThat(bodyError("\"an event\""))
        .isEqualTo("body must be an event object or an array of them");
    assertThat(bodyError("[]")).isEqualTo("no events in the array");
    final String event = "{\"sessionId\": \"s\", \"eventType\": \"SEARCH\"}";
    assertThat(parser.parse("[" + String.join(",", event, event, event) + "]")).hasSize(3);
    assertThat(bodyError("[" + String.join(",", event, event, event, event) + "]"))
        .isEqualTo("too many events: 4 in one request, at most 3 are allowed");
  }

  private EventError error(final String body) {
    final InvalidEventsException e =
        assertThrows(InvalidEventsException.class, () -> parser.parse(body));
    assertThat(e.errors()).hasSize(1);
    return e.errors().get(0);
  }

  private String bodyError(final String body) {
    final InvalidEventsException e =
        assertThrows(InvalidEventsException.class, () -> parser.parse(body));
    assertThat(e.errors()).isEmpty();
    return e.getMessage();
  }
}
