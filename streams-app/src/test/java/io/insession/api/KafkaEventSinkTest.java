package io.insession.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.insession.schemas.EventType;
import io.insession.schemas.WeblogEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.Test;

/** What a failed send means to the client: refused for good (400) or retryable (503). */
class KafkaEventSinkTest {

  private static final WeblogEvent EVENT =
      WeblogEvent.newBuilder()
          .setEventId("e-1")
          .setSessionId("s-1")
          .setUserId(null)
          .setEventType(EventType.SEARCH)
          .setItemId(null)
          .setEventTime(Instant.parse("2026-11-23T10:15:30.123Z"))
          .setAttributes(Map.of())
          .build();

  @Test
  void shouldRefuseForGoodWhatTheBrokerCanNeverAccept() {
    for (final RuntimeException cause :
        List.of(new RecordTooLargeException("too large"), new InvalidTimestampException("ts"))) {
      final MockProducer<String, WeblogEvent> producer = new MockProducer<>();
      producer.sendException = cause;
      final KafkaEventSink sink = new KafkaEventSink(producer, "weblog", Duration.ofSeconds(5));

      final EventsRefusedException refused =
          assertThrows(EventsRefusedException.class, () -> sink.write(List.of(EVENT)));
      assertThat(refused.getCause()).isSameAs(cause);
    }
  }

  @Test
  void shouldCallRetryableWhatTheBrokerMayAcceptLater() {
    assertThat(KafkaEventSink.failure("not acknowledged: ", new NotEnoughReplicasException("isr")))
        .isInstanceOf(NotAcknowledgedException.class)
        .hasMessage("not acknowledged: isr");
    assertThat(KafkaEventSink.failure("refused: ", new RecordTooLargeException("big")))
        .isInstanceOf(EventsRefusedException.class)
        .hasMessage("refused: big");
  }
}
