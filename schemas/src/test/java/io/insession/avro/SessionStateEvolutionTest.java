package io.insession.avro;

import static org.assertj.core.api.Assertions.assertThat;

import io.insession.schemas.SessionState;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/**
 * Session states stored before v2 (no {@code lastSeenAt}, no {@code recentEventIds}) and before v3
 * (no {@code boughtItems}) still decode from the stores and changelogs, with the new fields at
 * their defaults; the v1 schema is read from the shipped history, as the serde reads it.
 */
class SessionStateEvolutionTest {

  private static Schema v1() throws IOException {
    return history(1);
  }

  private static Schema history(final int version) throws IOException {
    try (InputStream in =
        SessionStateEvolutionTest.class
            .getClassLoader()
            .getResourceAsStream(
                "io/insession/schemas/history/SessionState-v" + version + ".avsc")) {
      return new Schema.Parser().parse(in);
    }
  }

  /** A record of {@code schema} with the fields of version 1 set. */
  private static GenericRecord versionOneFields(final Schema schema) {
    final GenericRecord old = new GenericData.Record(schema);
    old.put("modelName", "gru4rec");
    old.put("modelVersion", "v1");
    old.put("variant", "default");
    old.put("scorerState", ByteBuffer.wrap(new byte[] {1, 2, 3, 4}));
    old.put("recentItems", List.of("i1", "i2"));
    old.put("eventCount", 2);
    old.put("knownItemCount", 2);
    old.put("startedAt", 1_000L);
    old.put("lastEventAt", 2_000L);
    return old;
  }

  /** Writes {@code old} with its schema as the serde would have, then reads it as the current. */
  private static SessionState decode(final Schema schema, final GenericRecord old)
      throws IOException {
    final ByteBuffer written =
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(old);
    final byte[] bytes = Arrays.copyOfRange(written.array(), 0, written.limit());
    return AvroSingleObjectSerde.forType(SessionState.class).deserialize("session-state", bytes);
  }

  @Test
  void shouldDecodeAStateWrittenWithVersionTwoWithNoBoughtItems() throws Exception {
    final Schema v2 = history(2);
    assertThat(v2.getField("boughtItems")).isNull();
    final GenericRecord old = versionOneFields(v2);
    old.put("lastSeenAt", 3_000L);
    old.put("recentEventIds", List.of("e1"));

    final SessionState decoded = decode(v2, old);

    assertThat(decoded.getRecentItems()).containsExactly("i1", "i2");
    assertThat(decoded.getRecentEventIds()).containsExactly("e1");
    assertThat(decoded.getLastSeenAt()).isEqualTo(Instant.ofEpochMilli(3_000L));
    assertThat(decoded.getBoughtItems()).isEmpty();
  }

  @Test
  void shouldDecodeAStateWrittenWithVersionOneWithTheNewFieldsAtTheirDefaults() throws Exception {
    final Schema v1 = v1();
    assertThat(v1.getField("lastSeenAt")).isNull();
    final SessionState decoded = decode(v1, versionOneFields(v1));

    assertThat(decoded.getRecentItems()).containsExactly("i1", "i2");
    assertThat(decoded.getLastEventAt()).isEqualTo(Instant.ofEpochMilli(2_000L));
    assertThat(decoded.getLastSeenAt()).isNull();
    assertThat(decoded.getRecentEventIds()).isEmpty();
    assertThat(decoded.getBoughtItems()).isEmpty();
  }

  @Test
  void shouldRoundTripTheNewFields() {
    final AvroSingleObjectSerde<SessionState> serde =
        AvroSingleObjectSerde.forType(SessionState.class);
    final SessionState state =
        SessionState.newBuilder()
            .setModelName("gru4rec")
            .setModelVersion("v1")
            .setScorerState(ByteBuffer.wrap(new byte[0]))
            .setStartedAt(Instant.ofEpochMilli(1_000L))
            .setLastEventAt(Instant.ofEpochMilli(2_000L))
            .setLastSeenAt(Instant.ofEpochMilli(3_000L))
            .setRecentEventIds(List.of("e1", "e2"))
            .setBoughtItems(List.of("i7"))
            .build();

    assertThat(serde.deserialize("t", serde.serialize("t", state))).isEqualTo(state);
  }
}
