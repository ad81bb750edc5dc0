package io.insession.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.internals.DefaultErrorHandlerContext;
import org.apache.kafka.streams.errors.internals.ExceptionHandlerUtils;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

/** {@link RecordProcessingExceptionHandler}: one record's failure continues, scoring's fails. */
class RecordProcessingExceptionHandlerTest {

  private final RecordProcessingExceptionHandler handler = new RecordProcessingExceptionHandler();

  RecordProcessingExceptionHandlerTest() {
    handler.configure(Map.of(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "dlq"));
  }

  private static ErrorHandlerContext at(final String node) {
    return new DefaultErrorHandlerContext(
        null,
        "weblog-events",
        1,
        9L,
        new RecordHeaders(),
        node,
        new TaskId(0, 1),
        1_000L,
        "s1".getBytes(StandardCharsets.UTF_8),
        new byte[] {1, 2, 3});
  }

  private static final Record<String, String> RECORD = new Record<>("s1", "v", 1_000L);

  @Test
  void shouldDeadLetterTheInputRecordAndContinueWhenOneRecordFails() {
    final ProcessingExceptionHandler.Response response =
        handler.handleError(at("validate-event"), RECORD, new IllegalStateException("boom"));

    assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
    assertThat(response.deadLetterQueueRecords()).hasSize(1);
    final ProducerRecord<byte[], byte[]> dead = response.deadLetterQueueRecords().get(0);
    assertThat(dead.topic()).isEqualTo("dlq");
    assertThat(dead.key()).isEqualTo("s1".getBytes(StandardCharsets.UTF_8));
    assertThat(dead.value()).containsExactly(1, 2, 3);
    assertThat(header(dead, DeadLetterHeaders.REASON))
        .isEqualTo(RecordProcessingExceptionHandler.REASON);
    assertThat(header(dead, DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("9");
    assertThat(header(dead, ExceptionHandlerUtils.HEADER_ERRORS_EXCEPTION_NAME))
        .isEqualTo(IllegalStateException.class.getName());
  }

  @Test
  void shouldFailWhenScoringFailsSoThatTheBatchIsScoredAgainFromTheLastCommit() {
    assertThat(
            handler
                .handleError(
                    at(RecommenderTopology.SCORE_NODE), RECORD, new IllegalStateException("model"))
                .result())
        .isEqualTo(ProcessingExceptionHandler.Result.FAIL);
  }

  private static String header(final ProducerRecord<byte[], byte[]> record, final String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
