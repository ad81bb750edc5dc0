package io.insession.session;

import static io.insession.testing.TestEvents.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.insession.config.InSessionConfig;
import io.insession.schemas.EventType;
import io.insession.schemas.WeblogEvent;
import io.insession.testing.TestEvents;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link WeblogEventChecks}: the size and time limits shared by the stream and the collector. */
class WeblogEventChecksTest {

  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
  private static final EventLimits LIMITS = EventLimits.defaults();

  @Test
  void shouldTakeItsDefaultLimitsFromInSessionConfig() {
    final InSessionConfig config = InSessionConfig.of(Map.of());
    assertThat(LIMITS.maxItemIdChars())
        .isEqualTo(config.getInt(InSessionConfig.EVENT_MAX_ITEM_ID_CHARS));
    assertThat(LIMITS.maxFutureMs())
        .isEqualTo(config.getLong(InSessionConfig.EVENT_TIME_MAX_FUTURE_MS));
    assertThat(
            EventLimits.from(
                    InSessionConfig.of(Map.of(InSessionConfig.EVENT_MAX_ITEM_ID_CHARS, "10")))
                .maxItemIdChars())
        .isEqualTo(10);
  }

  @Test
  void shouldAcceptIdsAtTheirLimitAndRefuseOneCharacterMore() {
    final int max = LIMITS.maxItemIdChars();
    assertThat(WeblogEventChecks.check(view("s", "e", "i".repeat(max), NOW))).isEmpty();
    final WeblogEventChecks.Violation violation =
        WeblogEventChecks.check(view("s", "e", "i".repeat(max + 1), NOW)).orElseThrow();
    assertThat(violation.rule()).isEqualTo(WeblogEventChecks.Rule.FIELD_TOO_LONG);
    assertThat(violation.field()).isEqualTo("itemId");

    assertThat(
            WeblogEventChecks.check(view("s".repeat(LIMITS.maxSessionIdChars() + 1), "e", "i", NOW))
                .orElseThrow()
                .field())
        .isEqualTo("sessionId");
    assertThat(
            WeblogEventChecks.check(view("s", "e".repeat(LIMITS.maxEventIdChars() + 1), "i", NOW))
                .orElseThrow()
                .field())
        .isEqualTo("eventId");
    assertThat(
            WeblogEventChecks.check(
                    WeblogEvent.newBuilder(view("s", "e", "i", NOW))
                        .setUserId("u".repeat(LIMITS.maxUserIdChars() + 1))
                        .build())
                .orElseThrow()
                .field())
        .isEqualTo("userId");
  }

  @Test
  void shouldRefuseAPriceBelowZeroOrNotFiniteAndAQuantityBelowOne() {
    final WeblogEvent purchase = TestEvents.event("s", "e", EventType.PURCHASE, "i", NOW);
    assertThat(WeblogEventChecks.check(withAmounts(purchase, 0.0, 1))).isEmpty();
    for (final double price : new double[] {-0.01, Double.NaN, Double.POSITIVE_INFINITY}) {
      final WeblogEventChecks.Violation violation =
          WeblogEventChecks.check(withAmounts(purchase, price, 1)).orElseThrow();
      assertThat(violation.rule()).isEqualTo(WeblogEventChecks.Rule.INVALID_AMOUNT);
      assertThat(violation.field()).isEqualTo("price");
    }
    assertThat(WeblogEventChecks.check(withAmounts(purchase, 1.0, 0)).orElseThrow().field())
        .isEqualTo("quantity");
    assertThat(
            WeblogEventChecks.check(
                    WeblogEvent.newBuilder(purchase)
                        .setOrderId("o".repeat(LIMITS.maxEventIdChars() + 1))
                        .build())
                .orElseThrow()
                .field())
        .isEqualTo("orderId");
  }

  private static WeblogEvent withAmounts(
      final WeblogEvent event, final double price, final int quantity) {
    return WeblogEvent.newBuilder(event).setPrice(price).setQuantity(quantity).build();
  }

  @Test
  void shouldBoundTheAttributesInCountAndSize() {
    final Map<String, String> many = new HashMap<>();
    for (int i = 0; i <= LIMITS.maxAttributes(); i++) {
      many.put("k" + i, "v");
    }
    assertThat(check(many).orElseThrow().rule())
        .isEqualTo(WeblogEventChecks.Rule.TOO_MANY_ATTRIBUTES);
    assertThat(check(Map.of("k".repeat(LIMITS.maxAttributeChars() + 1), "v")).orElseThrow().rule())
        .isEqualTo(WeblogEventChecks.Rule.FIELD_TOO_LONG);
    assertThat(check(Map.of("k", "v".repeat(LIMITS.maxAttributeChars() + 1))).orElseThrow().rule())
        .isEqualTo(WeblogEventChecks.Rule.FIELD_TOO_LONG);
    assertThat(check(Map.of("k", "v".repeat(LIMITS.maxAttributeChars())))).isEmpty();
  }

  private static java.util.Optional<WeblogEventChecks.Violation> check(
      final Map<String, String> attributes) {
    return WeblogEventChecks.check(
        WeblogEvent.newBuilder(view("s", "e", "i", NOW)).setAttributes(attributes).build());
  }

  @Test
  void shouldBoundTheRecordSize() {
    assertThat(WeblogEventChecks.checkRecordSize(10, LIMITS.maxRecordBytes() - 10, LIMITS))
        .isEmpty();
    assertThat(
            WeblogEventChecks.checkRecordSize(10, LIMITS.maxRecordBytes() - 9, LIMITS)
                .orElseThrow()
                .rule())
        .isEqualTo(WeblogEventChecks.Rule.RECORD_TOO_LARGE);
  }

  @Test
  void shouldAcceptEventTimesWithinTheWindowAroundArrivalAndRefuseTheRest() {
    final long now = NOW.toEpochMilli();
    final long arrival = now - 1_000;
    assertThat(time(now + LIMITS.maxFutureMs(), arrival, now)).isEmpty();
    assertThat(time(now + LIMITS.maxFutureMs() + 1, arrival, now)).isPresent();
    assertThat(time(arrival - LIMITS.maxPastMs(), arrival, now)).isEmpty();
    assertThat(time(arrival - LIMITS.maxPastMs() - 1, arrival, now)).isPresent();
    assertThat(time(-1, arrival, now)).isPresent();
    assertThat(time(-1, 0, 0)).as("negative even when the window reaches back").isPresent();
    assertThat(time(Long.MAX_VALUE, arrival, now)).isPresent();
    assertThat(time(Long.MIN_VALUE, arrival, now)).isPresent();
    assertThat(time(-1, arrival, now).orElseThrow().rule())
        .isEqualTo(WeblogEventChecks.Rule.EVENT_TIME_OUT_OF_RANGE);
  }

  private static java.util.Optional<WeblogEventChecks.Violation> time(
      final long eventTime, final long arrival, final long now) {
    return WeblogEventChecks.checkTime(
        view("s", "e", "i", Instant.ofEpochMilli(eventTime)), arrival, now, LIMITS);
  }

  @Test
  void shouldAbbreviateHugeValuesInDetails() {
    assertThat(WeblogEventChecks.abbreviate("short")).isEqualTo("short");
    assertThat(WeblogEventChecks.abbreviate("x".repeat(400_000)))
        .hasSizeLessThan(100)
        .endsWith("(400000 characters)");
  }
}
