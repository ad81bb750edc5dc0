package io.insession.load.stream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The rates of a run: one fixed-rate phase, or a ramp of steps that stops at the first step the
 * system does not sustain.
 *
 * @param ramp whether the run is a ramp
 * @param rates the target rate of each phase, in order
 * @param phaseDuration how long each phase sends
 */
public record LoadPlan(boolean ramp, List<Double> rates, Duration phaseDuration) {

  public LoadPlan {
    rates = List.copyOf(rates);
    Objects.requireNonNull(phaseDuration, "phaseDuration");
    if (rates.isEmpty()) {
      throw new IllegalArgumentException("a plan needs at least one rate");
    }
    for (final double rate : rates) {
      if (!(rate > 0)) {
        throw new IllegalArgumentException("rates must be > 0: " + rates);
      }
    }
  }

  /** The rate of the first phase (the rate a warm-up should run at). */
  public double firstRate() {
    return rates.get(0);
  }

  /** One phase at {@code rate} for {@code duration}. */
  public static LoadPlan fixed(final double rate, final Duration duration) {
    return new LoadPlan(false, List.of(rate), duration);
  }

  /** {@code start}, {@code start + step}, ... up to {@code max}, each for {@code stepDuration}. */
  public static LoadPlan ramp(
      final double start, final double step, final double max, final Duration stepDuration) {
    if (!(step > 0) || max < start) {
      throw new IllegalArgumentException(
          "a ramp needs step > 0 and max >= start: " + start + ", " + step + ", " + max);
    }
    final List<Double> rates = new ArrayList<>();
    for (double rate = start; rate <= max + 1e-9; rate += step) {
      rates.add(rate);
    }
    return new LoadPlan(true, rates, stepDuration);
  }
}
