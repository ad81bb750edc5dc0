package io.insession.kafka;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.insession.config.InSessionConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;

/** Start-up against a cluster that is not there. */
class TopicSetupTest {

  @Test
  void shouldNameTheUnreachableBootstrapServersAndTheSetting() throws IOException {
    final int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    final String bootstrap = "localhost:" + closedPort;
    final InSessionConfig config =
        InSessionConfig.of(
            Map.of(
                "bootstrap.servers", bootstrap, InSessionConfig.KAFKA_CONNECT_TIMEOUT_MS, "500"));

    assertThatThrownBy(
            () -> TopicSetup.ensureTopics(config, List.of(TopicSpec.of("t", 1)), Duration.ZERO))
        .isInstanceOf(KafkaException.class)
        .hasMessageContaining("Cannot reach Kafka at " + bootstrap)
        .hasMessageContaining(InSessionConfig.KAFKA_CONNECT_TIMEOUT_MS);
  }

  @Test
  void shouldNameBootstrapServersThatDoNotResolve() {
    final InSessionConfig config =
        InSessionConfig.of(Map.of("bootstrap.servers", "no-such-host.invalid:9092"));

    assertThatThrownBy(
            () -> TopicSetup.ensureTopics(config, List.of(TopicSpec.of("t", 1)), Duration.ZERO))
        .isInstanceOf(KafkaException.class)
        .hasMessageContaining("Cannot reach Kafka at no-such-host.invalid:9092");
  }
}
