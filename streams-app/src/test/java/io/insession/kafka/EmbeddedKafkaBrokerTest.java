package io.insession.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class EmbeddedKafkaBrokerTest {

  @Test
  void shouldFindTwoDistinctFreePorts() {
    final EmbeddedKafkaBroker.Ports ports = EmbeddedKafkaBroker.findFreePorts();
    assertThat(ports.broker()).isPositive().isNotEqualTo(ports.controller());
    assertThat(ports.controller()).isPositive();
  }

  @Test
  void shouldRejectPortZeroAndEqualPorts() {
    assertThrows(IllegalArgumentException.class, () -> new EmbeddedKafkaBroker.Ports(0, 9093));
    assertThrows(IllegalArgumentException.class, () -> new EmbeddedKafkaBroker.Ports(9092, 0));
    assertThrows(IllegalArgumentException.class, () -> new EmbeddedKafkaBroker.Ports(9092, 9092));
    assertThrows(
        IllegalArgumentException.class, () -> EmbeddedKafkaBroker.builder().numPartitions(0));
  }
}
