package io.insession.kafka;

import io.insession.avro.AvroSingleObjectSerde;
import io.insession.config.InSessionConfig;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.WeblogEvent;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The topics of InSession with their serdes.
 *
 * @param weblog weblog events in (typed, for producers; the topology reads raw bytes to validate)
 * @param deadLetter records that failed validation, byte for byte as they arrived
 * @param recommendations ranked lists out
 */
public record Topics(
    Topic<String, WeblogEvent> weblog,
    Topic<byte[], byte[]> deadLetter,
    Topic<String, RecommendationList> recommendations) {

  /** The topics named in {@code config}, with InSession's Avro serdes. */
  public static Topics from(final InSessionConfig config) {
    return new Topics(
        new Topic<>(
            config.getString(InSessionConfig.WEBLOG_TOPIC),
            Serdes.String(),
            AvroSingleObjectSerde.forType(WeblogEvent.class)),
        new Topic<>(
            config.getString(InSessionConfig.DEAD_LETTER_TOPIC),
            Serdes.ByteArray(),
            Serdes.ByteArray()),
        new Topic<>(
            config.getString(InSessionConfig.RECOMMENDATIONS_TOPIC),
            Serdes.String(),
            AvroSingleObjectSerde.forType(RecommendationList.class)));
  }
}
