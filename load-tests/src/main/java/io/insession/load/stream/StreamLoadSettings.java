package io.insession.load.stream;

import io.insession.kafka.ValueSerdes;
import java.util.Objects;

/**
 * Where the end-to-end load goes.
 *
 * @param bootstrapServers the cluster the app runs on
 * @param weblogTopic events in (the app's {@code insession.topic.weblog})
 * @param recommendationsTopic lists out (the app's {@code insession.topic.recommendations})
 * @param applicationId the app's Streams application id (its consumer group, for the lag)
 * @param producerLingerMs the generator producer's {@code linger.ms} (0: each event goes out at
 *     once, like a web frontend's)
 * @param valueSerdes the app's value serdes ({@code insession.serde}), for events out and lists in
 * @param deadLetterTopic the app's {@code insession.topic.dead.letter}, read for the dead letters
 *     of the bad records
 * @param badRecordEvery one {@link BadRecords bad record} after every this many events (0: none)
 */
public record StreamLoadSettings(
    String bootstrapServers,
    String weblogTopic,
    String recommendationsTopic,
    String applicationId,
    int producerLingerMs,
    ValueSerdes valueSerdes,
    String deadLetterTopic,
    int badRecordEvery) {

  public StreamLoadSettings {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(weblogTopic, "weblogTopic");
    Objects.requireNonNull(recommendationsTopic, "recommendationsTopic");
    Objects.requireNonNull(applicationId, "applicationId");
    Objects.requireNonNull(valueSerdes, "valueSerdes");
    Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
    if (badRecordEvery < 0) {
      throw new IllegalArgumentException("badRecordEvery must be >= 0, got " + badRecordEvery);
    }
  }

  /** The app's default topic names, application id and serdes. */
  public static StreamLoadSettings defaults(final String bootstrapServers) {
    return new StreamLoadSettings(
        bootstrapServers,
        "weblog-events",
        "recommendations",
        "insession",
        0,
        ValueSerdes.singleObject(),
        "weblog-events-dlq",
        0);
  }
}
