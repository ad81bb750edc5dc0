package io.insession.topology;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.errors.internals.ExceptionHandlerUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production exception handler InSession installs ({@code production.exception.handler}): a
 * record that Kafka refuses to take (a list or dead letter too large for the producer or the topic,
 * a timestamp the broker refuses, a value that does not serialize) must not stop the application,
 * which would stop again on the same record after every restart. Such a record is skipped and a
 * small reference record goes to the dead-letter topic ({@code
 * errors.dead.letter.queue.topic.name}) instead: no key, no value, Kafka Streams' {@code
 * __streams.errors.*} headers (exception, message, source topic, partition and offset of the input
 * record that produced it) and InSession's {@code insession.dlq.*} headers with reason {@value
 * #REASON}. Kafka Streams counts it in its {@code dropped-records} metric. Retriable errors are
 * retried, as by Kafka's default handler.
 *
 * <p>The reference never carries the refused record itself: it may be what was too large.
 */
public final class ContinueProductionExceptionHandler implements ProductionExceptionHandler {

  /** The {@code insession.dlq.reason} of a reference record. */
  public static final String REASON = "PRODUCTION_FAILED";

  private static final Logger LOG =
      LoggerFactory.getLogger(ContinueProductionExceptionHandler.class);

  private String deadLetterTopic;

  @Override
  public void configure(final Map<String, ?> configs) {
    deadLetterTopic = DeadLetterHeaders.configuredTopic(configs);
  }

  @Override
  public Response handleError(
      final ErrorHandlerContext context,
      final ProducerRecord<byte[], byte[]> record,
      final Exception exception) {
    if (exception instanceof RetriableException) {
      return Response.retry();
    }
    return skip(context, record.topic(), exception);
  }

  @Override
  @SuppressWarnings("rawtypes") // the interface declares the raw type
  public Response handleSerializationError(
      final ErrorHandlerContext context,
      final ProducerRecord record,
      final Exception exception,
      final SerializationExceptionOrigin origin) {
    return skip(context, record.topic(), exception);
  }

  private Response skip(
      final ErrorHandlerContext context, final String topic, final Exception exception) {
    LOG.warn(
        "Kafka refused a record for topic {} (input {}-{} offset {}): {}; skipped, a reference"
            + " goes to the dead-letter topic",
        topic,
        context.topic(),
        context.partition(),
        context.offset(),
        String.valueOf(exception));
    if (deadLetterTopic == null) {
      return Response.resume();
    }
    return Response.resume(List.of(reference(context, deadLetterTopic, topic, exception)));
  }

  /** The reference record: reasons and source coordinates in headers, no key, no value. */
  static ProducerRecord<byte[], byte[]> reference(
      final ErrorHandlerContext context,
      final String deadLetterTopic,
      final String topic,
      final Exception exception) {
    final Headers headers = new RecordHeaders();
    DeadLetterHeaders.set(
        headers,
        ExceptionHandlerUtils.HEADER_ERRORS_EXCEPTION_NAME,
        exception.getClass().getName());
    DeadLetterHeaders.set(
        headers,
        ExceptionHandlerUtils.HEADER_ERRORS_EXCEPTION_MESSAGE_NAME,
        DeadLetterHeaders.truncateDetail(String.valueOf(exception.getMessage())));
    DeadLetterHeaders.set(headers, ExceptionHandlerUtils.HEADER_ERRORS_TOPIC_NAME, context.topic());
    DeadLetterHeaders.set(
        headers,
        ExceptionHandlerUtils.HEADER_ERRORS_PARTITION_NAME,
        String.valueOf(context.partition()));
    DeadLetterHeaders.set(
        headers, ExceptionHandlerUtils.HEADER_ERRORS_OFFSET_NAME, String.valueOf(context.offset()));
    DeadLetterHeaders.describe(
        headers, REASON, "a record for topic " + topic + " was refused: " + exception, context);
    return new ProducerRecord<>(deadLetterTopic, null, null, null, null, headers);
  }
}
