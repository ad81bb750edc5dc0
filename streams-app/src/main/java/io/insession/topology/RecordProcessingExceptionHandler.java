package io.insession.topology;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.internals.ExceptionHandlerUtils;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processing exception handler InSession installs ({@code processing.exception.handler}),
 * chosen per processor:
 *
 * <ul>
 *   <li>a failure on one record in any processor but the scoring one (validation, unwrapping,
 *       routing) continues: the input record goes to the dead-letter topic with Kafka Streams'
 *       {@code __streams.errors.*} headers and InSession's reason {@value #REASON}. Validation
 *       catches every bad input it knows before it can throw, so this is the net for what it does
 *       not know; failing would stop the application again on the same record after each restart.
 *   <li>a failure in {@value RecommenderTopology#SCORE_NODE} fails the application. That processor
 *       scores a micro-batch of many sessions' events at once and stores their states: after an
 *       exception (the model failing, not the record: events reach it only once validated) the
 *       batch's events would sit in the pending store unscored until a restart, and continuing
 *       would let later events of those sessions overtake them. Failing restarts from the last
 *       commit, which restores and scores the pending events exactly once ({@code
 *       CrashRecoveryIT}).
 * </ul>
 */
public final class RecordProcessingExceptionHandler implements ProcessingExceptionHandler {

  /** The {@code insession.dlq.reason} of a record whose processing failed. */
  public static final String REASON = "PROCESSING_FAILED";

  private static final Logger LOG = LoggerFactory.getLogger(RecordProcessingExceptionHandler.class);

  private String deadLetterTopic;

  @Override
  public void configure(final Map<String, ?> configs) {
    deadLetterTopic = DeadLetterHeaders.configuredTopic(configs);
  }

  @Override
  public Response handleError(
      final ErrorHandlerContext context, final Record<?, ?> record, final Exception exception) {
    if (RecommenderTopology.SCORE_NODE.equals(context.processorNodeId())) {
      LOG.error(
          "Scoring failed (input {}-{} offset {}); stopping so that the batch is scored again"
              + " from the last commit",
          context.topic(),
          context.partition(),
          context.offset(),
          exception);
      return Response.fail();
    }
    LOG.warn(
        "Processing one record failed in {} (input {}-{} offset {}); it goes to the dead-letter"
            + " topic",
        context.processorNodeId(),
        context.topic(),
        context.partition(),
        context.offset(),
        exception);
    if (deadLetterTopic == null) {
      return Response.resume();
    }
    final ProducerRecord<byte[], byte[]> dead =
        ExceptionHandlerUtils.buildDeadLetterQueueRecord(
            deadLetterTopic, context.sourceRawKey(), context.sourceRawValue(), context, exception);
    DeadLetterHeaders.describe(
        dead.headers(),
        REASON,
        "processor " + context.processorNodeId() + " failed: " + exception,
        context);
    return Response.resume(List.of(dead));
  }
}
