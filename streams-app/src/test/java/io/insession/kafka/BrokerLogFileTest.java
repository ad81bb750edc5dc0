package io.insession.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class BrokerLogFileTest {

  @Test
  void shouldSendServerSideLogsToOneFileAndKeepClientsOnTheConsole() throws Exception {
    final Path file = BrokerLogFile.attach().orElseThrow();
    assertThat(BrokerLogFile.attach()).contains(file);

    LoggerFactory.getLogger("kafka.server.ReplicaManager").error("broker-side line");
    LoggerFactory.getLogger("org.apache.kafka.storage.internals.log.UnifiedLog").warn("storage");

    assertThat(Files.readString(file)).contains("broker-side line", "storage");
    for (final String name : BrokerLogFile.SERVER_LOGGERS) {
      assertThat(((Logger) LoggerFactory.getLogger(name)).isAdditive())
          .as(name + " stays off the console")
          .isFalse();
    }
    final Logger client =
        (Logger) LoggerFactory.getLogger("org.apache.kafka.clients.NetworkClient");
    assertThat(client.iteratorForAppenders().hasNext()).isFalse();
    assertThat(client.isAdditive()).as("clients log where the application logs").isTrue();
  }
}
