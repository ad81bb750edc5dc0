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
 */
public record StreamLoadSettings(
    String bootstrapServers,
    String weblogTopic,
    String recommendationsTopic,
    String applicationId,
    int producerLingerMs,
    ValueSerdes valueSerdes) {

  public StreamLoadSettings {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(weblogTopic, "weblogTopic");
    Objects.requireNonNull(recommendationsTopic, "recommendationsTopic");
    Objects.requireNonNull(applicationId, "applicationId");
    Objects.requireNonNull(valueSerdes, "valueSerdes");
  }

  /** The app's default topic names, application id and serdes. */
  public static StreamLoadSettings defaults(final String bootstrapServers) {
    return new StreamLoadSettings(
        bootstrapServers,
        "weblog-events",
        "recommendations",
        "insession",
        0,
        ValueSerdes.singleObject());
  }
}
