package io.insession.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.errors.internals.DefaultErrorHandlerContext;
import org.apache.kafka.streams.errors.internals.ExceptionHandlerUtils;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

/** {@link ContinueProductionExceptionHandler}: a record Kafka refuses never stops the app. */
class ContinueProductionExceptionHandlerTest {

  private static final ErrorHandlerContext SOURCE =
      new DefaultErrorHandlerContext(
          null,
          "weblog-events",
          3,
          42L,
          new RecordHeaders(),
          "score-session",
          new TaskId(0, 3),
          1_000L,
          new byte[] {1},
          new byte[] {2});

  private final ContinueProductionExceptionHandler handler = configured();

  private static ContinueProductionExceptionHandler configured() {
    final ContinueProductionExceptionHandler handler = new ContinueProductionExceptionHandler();
    handler.configure(Map.of(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "dlq"));
    return handler;
  }

  private static ProducerRecord<byte[], byte[]> list() {
    return new ProducerRecord<>("recommendations", new byte[] {7}, new byte[2_000_000]);
  }

  @Test
  void shouldSkipARecordTooLargeAndSendOnlyAReferenceToTheDeadLetterTopic() {
    final ProductionExceptionHandler.Response response =
        handler.handleError(SOURCE, list(), new RecordTooLargeException("2000100 bytes"));

    assertThat(response.result()).isEqualTo(ProductionExceptionHandler.Result.RESUME);
    assertThat(response.deadLetterQueueRecords()).hasSize(1);
    final ProducerRecord<byte[], byte[]> reference = response.deadLetterQueueRecords().get(0);
    assertThat(reference.topic()).isEqualTo("dlq");
    assertThat(reference.key()).isNull();
    assertThat(reference.value()).isNull();
    assertThat(header(reference, DeadLetterHeaders.REASON))
        .isEqualTo(ContinueProductionExceptionHandler.REASON);
    assertThat(header(reference, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo("weblog-events");
    assertThat(header(reference, DeadLetterHeaders.SOURCE_PARTITION)).isEqualTo("3");
    assertThat(header(reference, DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("42");
    assertThat(header(reference, ExceptionHandlerUtils.HEADER_ERRORS_EXCEPTION_NAME))
        .isEqualTo(RecordTooLargeException.class.getName());
    assertThat(header(reference, DeadLetterHeaders.DETAIL)).contains("recommendations");
  }

  @Test
  void shouldSkipATimestampTheBrokerRefusesAndAValueThatDoesNotSerialize() {
    assertThat(
            handler
                .handleError(SOURCE, list(), new InvalidTimestampException("too far ahead"))
                .result())
        .isEqualTo(ProductionExceptionHandler.Result.RESUME);
    assertThat(
            handler
                .handleSerializationError(
                    SOURCE,
                    list(),
                    new SerializationException("bad"),
                    ProductionExceptionHandler.SerializationExceptionOrigin.VALUE)
                .deadLetterQueueRecords())
        .hasSize(1);
  }

  @Test
  void shouldRetryRetriableErrors() {
    assertThat(handler.handleError(SOURCE, list(), new NotEnoughReplicasException("x")).result())
        .isEqualTo(ProductionExceptionHandler.Result.RETRY);
  }

  private static String header(final ProducerRecord<byte[], byte[]> record, final String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
