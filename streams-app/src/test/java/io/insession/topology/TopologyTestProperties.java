package io.insession.topology;

import io.insession.config.InSessionConfig;
import io.insession.runtime.RecommenderStreams;
import java.util.Map;
import java.util.Properties;

/** The one fixture of Streams properties for topology tests: the production ones. */
final class TopologyTestProperties {

  private TopologyTestProperties() {}

  /** {@link RecommenderStreams#streamsProperties} for {@code applicationId}, broker unused. */
  static Properties production(final String applicationId) {
    return RecommenderStreams.streamsProperties(
        InSessionConfig.of(
            Map.of(
                InSessionConfig.APPLICATION_ID,
                applicationId,
                "bootstrap.servers",
                "unused:9092")));
  }
}
