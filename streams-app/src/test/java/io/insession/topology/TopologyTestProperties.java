package io.insession.topology;

import io.insession.config.InSessionConfig;
import io.insession.runtime.RecommenderStreams;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;

/** The one fixture of Streams properties for topology tests: the production ones. */
final class TopologyTestProperties {

  private TopologyTestProperties() {}

  /**
   * {@link RecommenderStreams#streamsProperties} for {@code applicationId}, broker unused, with a
   * state directory of its own (the default {@code /tmp/kafka-streams/<app id>} is shared by every
   * build on the machine: two builds running the same test would open the same RocksDB files).
   */
  static Properties production(final String applicationId) {
    final Properties properties =
        RecommenderStreams.streamsProperties(
            InSessionConfig.of(
                Map.of(
                    InSessionConfig.APPLICATION_ID,
                    applicationId,
                    "bootstrap.servers",
                    "unused:9092")));
    try {
      properties.put(
          StreamsConfig.STATE_DIR_CONFIG,
          Files.createTempDirectory("insession-topology-test-").toString());
    } catch (final IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties;
  }
}
