package io.insession.load.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PacerTest {

  @Test
  void shouldSpaceEventsEvenlyAtTheRate() {
    final AtomicLong clock = new AtomicLong(1_000);
    final Pacer pacer = new Pacer(4_000, clock::get);
    assertThat(pacer.dueNanos(0)).isEqualTo(1_000);
    assertThat(pacer.dueNanos(1)).isEqualTo(1_000 + 250_000);
    assertThat(pacer.dueNanos(4_000)).isEqualTo(1_000 + 1_000_000_000L);
  }

  @Test
  void shouldCountEventsDueByATime() {
    final AtomicLong clock = new AtomicLong(0);
    final Pacer pacer = new Pacer(1_000, clock::get);
    assertThat(pacer.dueBy(0)).isEqualTo(1);
    assertThat(pacer.dueBy(999_999)).isEqualTo(1);
    assertThat(pacer.dueBy(1_000_000)).isEqualTo(2);
    assertThat(pacer.dueBy(1_000_000_000L)).isEqualTo(1_001);
  }

  @Test
  void shouldSayHowFarBehindTheScheduleASenderIs() {
    final AtomicLong clock = new AtomicLong(0);
    final Pacer pacer = new Pacer(100, clock::get);
    assertThat(pacer.behindNanos(1, 5_000_000)).isZero();
    assertThat(pacer.behindNanos(1, 15_000_000)).isEqualTo(5_000_000);
  }

  @Test
  void shouldNotWaitForAnOverdueEvent() {
    final AtomicLong clock = new AtomicLong(0);
    final Pacer pacer = new Pacer(10, clock::get);
    clock.set(10_000_000_000L);
    pacer.awaitDue(3);
    assertThat(clock.get()).isEqualTo(10_000_000_000L);
  }

  @Test
  void shouldRejectANonPositiveRate() {
    assertThrows(IllegalArgumentException.class, () -> new Pacer(0, System::nanoTime));
  }
}
