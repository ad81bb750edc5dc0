package io.insession.testing;

import io.insession.config.InSessionConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The settings the hot-swap end-to-end tests share: unique names, one partition, the tiny bundle.
 */
public final class SwapSettings {

  private SwapSettings() {}

  /**
   * One instance on {@code kafka}: state in {@code stateDir}, an application id and topics named
   * uniquely after {@code app}, one partition, the tiny bundle, lists of 5 items, the operations
   * server on a free port (a mutable map).
   */
  public static Map<String, String> of(
      final KafkaTestCluster kafka, final Path stateDir, final String app) {
    final Map<String, String> settings = new HashMap<>();
    settings.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    settings.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    settings.put(InSessionConfig.APPLICATION_ID, kafka.uniqueName(app));
    settings.put(InSessionConfig.WEBLOG_TOPIC, kafka.uniqueName("weblog"));
    settings.put(InSessionConfig.DEAD_LETTER_TOPIC, kafka.uniqueName("dlq"));
    settings.put(InSessionConfig.RECOMMENDATIONS_TOPIC, kafka.uniqueName("recommendations"));
    settings.put(InSessionConfig.DEPLOYMENTS_TOPIC, kafka.uniqueName("deployments"));
    settings.put(InSessionConfig.TOPIC_PARTITIONS, "1");
    settings.put(InSessionConfig.MODEL_BUNDLE, TestModels.tinyBundleDir().toString());
    settings.put(InSessionConfig.RECOMMENDATIONS_COUNT, "5");
    // any free port: a fixed one would clash with whatever else listens on this machine
    settings.put(InSessionConfig.METRICS_PORT, "0");
    // authentication has its own tests (ApiSecurityIT)
    settings.put(InSessionConfig.API_AUTH, InSessionConfig.AUTH_NONE);
    return settings;
  }
}
