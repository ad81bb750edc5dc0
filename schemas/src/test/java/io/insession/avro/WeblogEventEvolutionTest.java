package io.insession.avro;

import static org.assertj.core.api.Assertions.assertThat;

import io.insession.schemas.EventType;
import io.insession.schemas.WeblogEvent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/**
 * Weblog events written with the v2 schema (before {@code recommendationId}, {@code price}, {@code
 * quantity}, {@code currency} and {@code orderId}) still decode, with the new fields null; the v2
 * schema is read from the shipped history, as the serde reads it.
 */
class WeblogEventEvolutionTest {

  private static Schema v2() throws IOException {
    try (InputStream in =
        WeblogEventEvolutionTest.class
            .getClassLoader()
            .getResourceAsStream("io/insession/schemas/history/WeblogEvent-v2.avsc")) {
      return new Schema.Parser().parse(in);
    }
  }

  @Test
  void shouldDecodeAnEventWrittenWithVersionTwoWithTheNewFieldsNull() throws Exception {
    final Schema v2 = v2();
    assertThat(v2.getField("price")).isNull();
    final GenericRecord old = new GenericData.Record(v2);
    old.put("eventId", "e1");
    old.put("sessionId", "s1");
    old.put("userId", null);
    old.put("eventType", new GenericData.EnumSymbol(v2.getField("eventType").schema(), "PURCHASE"));
    old.put("itemId", "i1");
    old.put("eventTime", 1_000L);
    old.put("attributes", Map.of("page", "/p/i1"));
    final ByteBuffer written =
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v2).encode(old);
    final byte[] bytes = Arrays.copyOfRange(written.array(), 0, written.limit());

    final WeblogEvent decoded =
        AvroSingleObjectSerde.forType(WeblogEvent.class).deserialize("weblog", bytes);

    assertThat(decoded.getEventId()).isEqualTo("e1");
    assertThat(decoded.getEventType()).isEqualTo(EventType.PURCHASE);
    assertThat(decoded.getItemId()).isEqualTo("i1");
    assertThat(decoded.getEventTime()).isEqualTo(Instant.ofEpochMilli(1_000L));
    assertThat(decoded.getAttributes()).containsEntry("page", "/p/i1");
    assertThat(decoded.getRecommendationId()).isNull();
    assertThat(decoded.getPrice()).isNull();
    assertThat(decoded.getQuantity()).isNull();
    assertThat(decoded.getCurrency()).isNull();
    assertThat(decoded.getOrderId()).isNull();
  }

  @Test
  void shouldRoundTripTheExperimentFields() {
    final AvroSingleObjectSerde<WeblogEvent> serde =
        AvroSingleObjectSerde.forType(WeblogEvent.class);
    final WeblogEvent event =
        WeblogEvent.newBuilder()
            .setEventId("e2")
            .setSessionId("s1")
            .setEventType(EventType.PURCHASE)
            .setItemId("i1")
            .setEventTime(Instant.ofEpochMilli(2_000L))
            .setRecommendationId("r1")
            .setPrice(19.99)
            .setQuantity(2)
            .setCurrency("EUR")
            .setOrderId("o1")
            .build();

    assertThat(serde.deserialize("weblog", serde.serialize("weblog", event))).isEqualTo(event);
  }
}
