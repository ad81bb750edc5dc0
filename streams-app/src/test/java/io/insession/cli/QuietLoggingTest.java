package io.insession.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class QuietLoggingTest {

  @Test
  void shouldLogOnlyErrorsUntilRestored() {
    final Logger own = LoggerFactory.getLogger("io.insession.evaluation.Evaluation");
    final Logger kafka = LoggerFactory.getLogger("org.apache.kafka.clients.NetworkClient");
    final Logger other = LoggerFactory.getLogger("com.example.Unconfigured");
    assertThat(own.isWarnEnabled()).isTrue();

    final QuietLogging quiet = QuietLogging.onlyErrors();
    assertThat(own.isWarnEnabled()).isFalse();
    assertThat(kafka.isWarnEnabled()).isFalse();
    assertThat(other.isWarnEnabled()).isFalse();
    assertThat(own.isErrorEnabled()).isTrue();
    assertThat(kafka.isErrorEnabled()).isTrue();

    quiet.restore();
    assertThat(own.isWarnEnabled()).isTrue();
    assertThat(kafka.isWarnEnabled()).isTrue();
  }
}
