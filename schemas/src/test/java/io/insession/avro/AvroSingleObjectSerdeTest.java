package io.insession.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.insession.schemas.EventType;
import io.insession.schemas.WeblogEvent;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSingleObjectSerdeTest {

  /** WeblogEvent as it might have looked before `attributes` and `userId` were added. */
  private static final Schema WEBLOG_EVENT_V1 =
      new Schema.Parser()
          .parse(
              """
              {"type": "record", "name": "WeblogEvent", "namespace": "io.insession.schemas",
               "fields": [
                 {"name": "eventId", "type": "string"},
                 {"name": "sessionId", "type": "string"},
                 {"name": "eventType", "type": {"type": "enum", "name": "EventType",
                   "symbols": ["PAGE_VIEW", "PRODUCT_VIEW", "ADD_TO_CART", "PURCHASE"]}},
                 {"name": "itemId", "type": ["null", "string"], "default": null},
                 {"name": "eventTime", "type": {"type": "long", "logicalType": "timestamp-millis"}}
               ]}
              """);

  private static WeblogEvent event() {
    return WeblogEvent.newBuilder()
        .setEventId("e-1")
        .setSessionId("s-1")
        .setUserId(null)
        .setEventType(EventType.PRODUCT_VIEW)
        .setItemId("214536502")
        .setEventTime(Instant.ofEpochMilli(1_396_860_669_277L))
        .setAttributes(Map.of("page", "/p/214536502"))
        .build();
  }

  @Test
  void shouldRoundTripTheCurrentSchema() {
    final AvroSingleObjectSerde<WeblogEvent> serde =
        AvroSingleObjectSerde.forType(WeblogEvent.class);

    final byte[] bytes = serde.serialize("weblog-events", event());

    assertThat(bytes[0]).isEqualTo((byte) 0xC3);
    assertThat(bytes[1]).isEqualTo((byte) 0x01);
    assertThat(serde.deserialize("weblog-events", bytes)).isEqualTo(event());
  }

  @Test
  void shouldDecodeMessagesWrittenWithAnOlderSchemaVersion() throws Exception {
    final GenericRecord old = new GenericData.Record(WEBLOG_EVENT_V1);
    old.put("eventId", "e-old");
    old.put("sessionId", "s-old");
    old.put(
        "eventType",
        new GenericData.EnumSymbol(WEBLOG_EVENT_V1.getField("eventType").schema(), "ADD_TO_CART"));
    old.put("itemId", "42");
    old.put("eventTime", 1_000L);
    final ByteBuffer written =
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), WEBLOG_EVENT_V1).encode(old);
    final byte[] bytes = Arrays.copyOfRange(written.array(), 0, written.limit());

    final WeblogEvent decoded =
        AvroSingleObjectSerde.forType(WeblogEvent.class, List.of(WEBLOG_EVENT_V1))
            .deserialize("weblog-events", bytes);

    assertThat(decoded.getEventId()).isEqualTo("e-old");
    assertThat(decoded.getEventType()).isEqualTo(EventType.ADD_TO_CART);
    assertThat(decoded.getUserId()).isNull();
    assertThat(decoded.getAttributes()).isEmpty();
    assertThat(decoded.getEventTime()).isEqualTo(Instant.ofEpochMilli(1_000L));
  }

  @Test
  void shouldRejectAMessageFromAnUnknownSchemaWithAClearError() throws Exception {
    final GenericRecord old = new GenericData.Record(WEBLOG_EVENT_V1);
    old.put("eventId", "e");
    old.put("sessionId", "s");
    old.put(
        "eventType",
        new GenericData.EnumSymbol(WEBLOG_EVENT_V1.getField("eventType").schema(), "PURCHASE"));
    old.put("eventTime", 1L);
    final ByteBuffer written =
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), WEBLOG_EVENT_V1).encode(old);
    final byte[] bytes = Arrays.copyOfRange(written.array(), 0, written.limit());
    final AvroSingleObjectSerde<WeblogEvent> serde =
        AvroSingleObjectSerde.forType(WeblogEvent.class);

    assertThatThrownBy(() -> serde.deserialize("t", bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Unknown writer schema for WeblogEvent");
  }

  @Test
  void shouldRejectBytesThatAreNotSingleObjectEncoded() {
    final AvroSingleObjectSerde<WeblogEvent> serde =
        AvroSingleObjectSerde.forType(WeblogEvent.class);

    assertThatThrownBy(() -> serde.deserialize("t", "{\"json\": true}".getBytes()))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Not an Avro single-object encoded WeblogEvent");
  }

  @Test
  void shouldRejectATruncatedPayload() {
    final AvroSingleObjectSerde<WeblogEvent> serde =
        AvroSingleObjectSerde.forType(WeblogEvent.class);
    final byte[] full = serde.serialize("t", event());

    assertThatThrownBy(() -> serde.deserialize("t", Arrays.copyOf(full, 14)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Corrupt WeblogEvent payload");
  }

  @Test
  void shouldPassNullThroughAsTombstone() {
    final AvroSingleObjectSerde<WeblogEvent> serde =
        AvroSingleObjectSerde.forType(WeblogEvent.class);

    assertThat(serde.serialize("t", null)).isNull();
    assertThat(serde.deserialize("t", null)).isNull();
  }
}
