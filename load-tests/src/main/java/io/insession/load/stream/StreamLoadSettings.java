package io.insession.load.stream;

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
 */
public record StreamLoadSettings(
    String bootstrapServers,
    String weblogTopic,
    String recommendationsTopic,
    String applicationId,
    int producerLingerMs) {

  public StreamLoadSettings {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(weblogTopic, "weblogTopic");
    Objects.requireNonNull(recommendationsTopic, "recommendationsTopic");
    Objects.requireNonNull(applicationId, "applicationId");
  }

  /** The app's default topic names and application id. */
  public static StreamLoadSettings defaults(final String bootstrapServers) {
    return new StreamLoadSettings(
        bootstrapServers, "weblog-events", "recommendations", "insession", 0);
  }
}
