package io.insession.load.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class CpuMeterTest {

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void shouldMeasureABusyLoopOnThisProcess() {
    final CpuMeter meter = CpuMeter.currentProcess();
    assertThat(meter.pid()).hasValue(ProcessHandle.current().pid());
    final CpuMeter.Interval interval = meter.start();
    // read after the start, so the interval holds at least what the loop waits for
    final Duration before = meter.totalCpu().orElseThrow();
    // spin until the process has used 100 ms more CPU (ten clock ticks): it ends by CPU used,
    // not by wall-clock time, however busy the machine (the @Timeout is only a liveness bound)
    long spins = 0;
    while (meter.totalCpu().orElseThrow().minus(before).toMillis() < 100) {
      spins++;
    }
    final CpuUse used = interval.end(1000).orElseThrow();
    assertThat(spins).isPositive();
    assertThat(used.cpuSeconds()).isGreaterThanOrEqualTo(0.1);
    assertThat(used.cores()).isPositive();
    assertThat(used.microsPerEvent()).isGreaterThanOrEqualTo(100.0);
  }

  @Test
  void shouldNotKnowTheCpuOfAProcessThatDoesNotExist() {
    // above the largest pid Linux hands out (pid_max is at most 2^22)
    final CpuMeter meter = CpuMeter.ofPid(Integer.MAX_VALUE);
    assertThat(meter.pid()).isEmpty();
    assertThat(meter.totalCpu()).isEmpty();
    assertThat(meter.start().end(10)).isEmpty();
  }

  @Test
  void shouldNotKnowTheCpuWhenItCannotBeReadAtOneEnd() {
    final AtomicLong cpuMillis = new AtomicLong(-1);
    final CpuMeter meter =
        new CpuMeter(
            OptionalLong.of(42),
            () ->
                cpuMillis.get() < 0
                    ? Optional.empty()
                    : Optional.of(Duration.ofMillis(cpuMillis.get())),
            System::nanoTime);
    final CpuMeter.Interval unknownAtStart = meter.start();
    cpuMillis.set(5);
    final CpuMeter.Interval knownAtStart = meter.start();
    assertThat(unknownAtStart.end(1)).isEmpty();
    cpuMillis.set(-1); // e.g. the process exited
    assertThat(knownAtStart.end(1)).isEmpty();
  }

  @Test
  void shouldGiveCoresAndMicrosPerEventOverTheInterval() {
    final AtomicLong cpuMillis = new AtomicLong(1_000);
    final AtomicLong wallNanos = new AtomicLong(0);
    final CpuMeter meter =
        new CpuMeter(
            OptionalLong.of(42),
            () -> Optional.of(Duration.ofMillis(cpuMillis.get())),
            wallNanos::get);
    final CpuMeter.Interval interval = meter.start();
    cpuMillis.addAndGet(1_300); // 1.3 s of CPU
    wallNanos.addAndGet(Duration.ofSeconds(2).toNanos()); // in 2 s
    final CpuUse used = interval.end(2_000).orElseThrow();
    assertThat(used.cpuSeconds()).isCloseTo(1.3, within(1e-9));
    assertThat(used.cores()).isCloseTo(0.65, within(1e-9));
    assertThat(used.microsPerEvent()).isCloseTo(650.0, within(1e-9));
    assertThat(meter.start().end(0).orElseThrow().microsPerEvent()).isNull();
  }

  @Test
  void shouldRejectAnEmptyInterval() {
    assertThrows(IllegalArgumentException.class, () -> CpuUse.of(1, 0, 1));
  }
}
