package io.insession.load.measure;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The CPU time a process used over an interval, from {@link ProcessHandle.Info#totalCpuDuration()}
 * (all its threads, user and system; on Linux read from {@code /proc/<pid>/stat}, so at a
 * resolution of one clock tick, 10 ms). Works for this JVM and for any process of the machine whose
 * {@code /proc} entry is readable. When the figure cannot be read at either end of the interval (no
 * such process, it exited, or the platform does not tell), the use is unknown.
 *
 * <pre>{@code
 * final CpuMeter.Interval interval = CpuMeter.currentProcess().start();
 * ... send events ...
 * final Optional<CpuUse> used = interval.end(eventsSent);
 * }</pre>
 */
public final class CpuMeter {

  private final OptionalLong pid;
  private final Supplier<Optional<Duration>> totalCpu;
  private final LongSupplier nanoClock;

  /**
   * @param pid the process measured, if any
   * @param totalCpu its CPU time so far (empty when unknown)
   * @param nanoClock wall clock for the length of an interval
   */
  CpuMeter(
      final OptionalLong pid,
      final Supplier<Optional<Duration>> totalCpu,
      final LongSupplier nanoClock) {
    this.pid = pid;
    this.totalCpu = totalCpu;
    this.nanoClock = nanoClock;
  }

  /** Measures {@code process}. */
  public static CpuMeter of(final ProcessHandle process) {
    return new CpuMeter(
        OptionalLong.of(process.pid()), () -> process.info().totalCpuDuration(), System::nanoTime);
  }

  /** Measures this JVM. */
  public static CpuMeter currentProcess() {
    return of(ProcessHandle.current());
  }

  /** Measures the process {@code pid}; every use is unknown when there is no such process. */
  public static CpuMeter ofPid(final long pid) {
    return ProcessHandle.of(pid).map(CpuMeter::of).orElseGet(CpuMeter::unknown);
  }

  /** A meter of no process: every use is unknown. */
  public static CpuMeter unknown() {
    return new CpuMeter(OptionalLong.empty(), Optional::empty, System::nanoTime);
  }

  /** The process measured; empty for {@link #unknown()}. */
  public OptionalLong pid() {
    return pid;
  }

  /** The process's CPU time so far, if it can be read. */
  public Optional<Duration> totalCpu() {
    return totalCpu.get();
  }

  /** Starts an interval now. */
  public Interval start() {
    return new Interval(totalCpu(), nanoClock.getAsLong());
  }

  /** An interval started by {@link #start()}. */
  public final class Interval {

    private final Optional<Duration> cpuAtStart;
    private final long wallAtStart;

    private Interval(final Optional<Duration> cpuAtStart, final long wallAtStart) {
      this.cpuAtStart = cpuAtStart;
      this.wallAtStart = wallAtStart;
    }

    /**
     * Ends the interval now.
     *
     * @param events events sent during the interval (for the CPU time per event)
     * @return the CPU the process used, or empty when unknown at the start or now
     */
    public Optional<CpuUse> end(final long events) {
      final Optional<Duration> cpuAtEnd = totalCpu();
      final long wallNanos = Math.max(1, nanoClock.getAsLong() - wallAtStart);
      if (cpuAtStart.isEmpty() || cpuAtEnd.isEmpty()) {
        return Optional.empty();
      }
      final long cpuNanos = Math.max(0, cpuAtEnd.get().minus(cpuAtStart.get()).toNanos());
      return Optional.of(CpuUse.of(cpuNanos, wallNanos, events));
    }
  }
}
