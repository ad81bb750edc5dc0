package io.insession.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConsoleProgressBarTest {

  @Test
  void shouldDrawDoneShareAndRateAndEndTheLineOnClose() {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final AtomicLong nanos = new AtomicLong();
    final ConsoleProgressBar bar =
        new ConsoleProgressBar(
            new PrintStream(bytes, true, StandardCharsets.UTF_8), "SKNN", 200, nanos::get);

    nanos.set(2_000_000_000L);
    bar.advance(50);
    nanos.set(4_000_000_000L);
    bar.advance(150);
    bar.close();

    final String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(out).contains("SKNN", " 25.0% 50/200 predictions, 25/s");
    assertThat(out).contains("100.0% 200/200 predictions, 50/s").endsWith(System.lineSeparator());
  }

  @Test
  void shouldDrawNothingWhenNotAllowed() {
    assertThat(Progress.forTask(false, "POP", 10)).isSameAs(Progress.NONE);
  }
}
