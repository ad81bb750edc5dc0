package io.insession.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.insession.testing.TestModels;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@code insession demo --exit-after-replay} for real: its own in-process KRaft broker, the
 * topology, the lookup API and a replay; exit code 0 only when every replayed event got its list.
 */
class DemoCommandIT {

  @Test
  void shouldReplaySampleSessionsAndExitOnceEveryEventHasItsList() {
    final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    final PrintStream original = System.out;
    final int code;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      code =
          Main.execute(
              "demo",
              "--exit-after-replay",
              "--kafka-port=0",
              "--port=0",
              "--rate=200",
              "--sessions=25",
              "--bundle=" + TestModels.tinyBundleDir());
    } finally {
      System.setOut(original);
    }
    final String output = captured.toString(StandardCharsets.UTF_8);

    assertThat(code).as(output).isZero();
    assertThat(output).contains("InSession demo ready").contains("session ").contains("viewed");
    assertThat(output).containsPattern("Replayed (\\d+) events\\. \\1 lists received");
  }
}
