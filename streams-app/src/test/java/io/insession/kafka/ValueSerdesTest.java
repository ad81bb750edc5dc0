package io.insession.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.insession.avro.AvroSingleObjectSerde;
import io.insession.config.InSessionConfig;
import io.insession.schemas.EventType;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.SessionState;
import io.insession.schemas.WeblogEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

/**
 * {@code insession.serde} picks the value serde of every topic in one place. The Confluent wire
 * format is checked byte for byte against Apicurio's serde with an in-process registry ({@link
 * StubSchemaResolver}); no registry server can run here.
 */
class ValueSerdesTest {

  private static final String TOPIC = "weblog-events";
  private static final WeblogEvent EVENT =
      WeblogEvent.newBuilder()
          .setEventId("e-1")
          .setSessionId("alice")
          .setEventType(EventType.PRODUCT_VIEW)
          .setItemId("item-7")
          .setEventTime(Instant.parse("2026-11-23T10:00:00Z"))
          .build();

  private static InSessionConfig confluent() {
    return InSessionConfig.of(StubSchemaResolver.confluentSettings());
  }

  @Test
  void shouldUseTheSingleObjectEncodingByDefault() {
    final Topics topics = Topics.from(InSessionConfig.of(Map.of()));
    assertThat(ValueSerdes.from(InSessionConfig.of(Map.of())).format())
        .isEqualTo(ValueSerdes.Format.SINGLE_OBJECT);
    assertThat(topics.weblog().valueSerde()).isInstanceOf(AvroSingleObjectSerde.class);
    assertThat(topics.recommendations().valueSerde()).isInstanceOf(AvroSingleObjectSerde.class);
    final byte[] bytes = topics.weblog().valueSerde().serializer().serialize(TOPIC, EVENT);
    assertThat(Arrays.copyOf(bytes, 2)).containsExactly(0xC3, 0x01);
  }

  @Test
  void shouldGiveEveryTopicTheConfluentWireSerdeWhenAsked() {
    final Topics topics = Topics.from(confluent());
    assertThat(ValueSerdes.from(confluent()).format()).isEqualTo(ValueSerdes.Format.CONFLUENT);
    assertThat(topics.weblog().valueSerde()).isInstanceOf(ConfluentWireSerde.class);
    assertThat(topics.recommendations().valueSerde()).isInstanceOf(ConfluentWireSerde.class);
  }

  @Test
  void shouldKeepTheStateStoresOnTheSingleObjectEncoding() {
    assertThat(ValueSerdes.storeValue(SessionState.class))
        .isInstanceOf(AvroSingleObjectSerde.class);
  }

  @Test
  void shouldRefuseTheConfluentFormatWithoutARegistryUrl() {
    final InSessionConfig config = InSessionConfig.of(Map.of(InSessionConfig.SERDE, "confluent"));
    assertThatThrownBy(() -> ValueSerdes.from(config))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(InSessionConfig.SERDE_REGISTRY_URL);
  }

  @Test
  void shouldRefuseAnUnknownSerde() {
    assertThatThrownBy(() -> InSessionConfig.of(Map.of(InSessionConfig.SERDE, "protobuf")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(InSessionConfig.SERDE);
  }

  @Test
  void shouldWriteMagicByteSchemaIdAndThePlainAvroBody() throws IOException {
    final Serde<WeblogEvent> serde = ValueSerdes.from(confluent()).topicValue(WeblogEvent.class);
    final byte[] bytes = serde.serializer().serialize(TOPIC, EVENT);

    final ByteBuffer wire = ByteBuffer.wrap(bytes);
    assertThat(wire.get()).isEqualTo((byte) 0);
    assertThat((long) wire.getInt())
        .isEqualTo(StubSchemaResolver.idOf(WeblogEvent.getClassSchema()));
    final WeblogEvent body =
        new SpecificDatumReader<>(WeblogEvent.class)
            .read(null, DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null));
    assertThat(body).isEqualTo(EVENT);
    assertThat(serde.deserializer().deserialize(TOPIC, bytes)).isEqualTo(EVENT);
  }

  @Test
  void shouldReadWhatAClientInAnotherLanguageWritesInTheConfluentFormat() throws IOException {
    final long id = StubSchemaResolver.idOf(WeblogEvent.getClassSchema());
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.write(ByteBuffer.allocate(4).putInt((int) id).array());
    final BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new SpecificDatumWriter<>(WeblogEvent.class).write(EVENT, encoder);
    encoder.flush();

    final Serde<WeblogEvent> serde = ValueSerdes.from(confluent()).topicValue(WeblogEvent.class);
    assertThat(serde.deserializer().deserialize(TOPIC, out.toByteArray())).isEqualTo(EVENT);
  }

  @Test
  void shouldCallBytesThatAreNotInTheConfluentFormatBadInput() {
    final Serde<WeblogEvent> serde = ValueSerdes.from(confluent()).topicValue(WeblogEvent.class);
    final byte[] singleObject =
        AvroSingleObjectSerde.forType(WeblogEvent.class).serialize(TOPIC, EVENT);
    assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, singleObject))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Not a Confluent wire format WeblogEvent");
    assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, new byte[] {0, 0}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("2 bytes");

    final byte[] good = serde.serializer().serialize(TOPIC, EVENT);
    final byte[] truncated = Arrays.copyOf(good, 8);
    assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, truncated))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Corrupt WeblogEvent");
  }

  @Test
  void shouldRefuseAListWhoseSchemaIdNamesAnEvent() {
    final ValueSerdes serdes = ValueSerdes.from(confluent());
    final byte[] event = serdes.topicValue(WeblogEvent.class).serializer().serialize(TOPIC, EVENT);
    assertThatThrownBy(
            () ->
                serdes
                    .topicValue(RecommendationList.class)
                    .deserializer()
                    .deserialize(TOPIC, event))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("RecommendationList");
  }
}
