package io.insession.evaluation;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/** A one-line text progress bar redrawn in place (carriage return), at most every 200 ms. */
final class ConsoleProgressBar implements Progress {

  private static final int WIDTH = 30;
  private static final long REDRAW_NANOS = 200_000_000L;

  private final PrintStream out;
  private final String label;
  private final long total;
  private final String unit;
  private final LongSupplier nanoClock;
  private final long startedAt;
  private long done;
  private long drawnAt;

  ConsoleProgressBar(
      final PrintStream out, final String label, final long total, final LongSupplier nanoClock) {
    this(out, label, total, "predictions", nanoClock);
  }

  ConsoleProgressBar(
      final PrintStream out,
      final String label,
      final long total,
      final String unit,
      final LongSupplier nanoClock) {
    this.out = out;
    this.label = label;
    this.total = total;
    this.unit = unit;
    this.nanoClock = nanoClock;
    this.startedAt = nanoClock.getAsLong();
    this.drawnAt = startedAt - REDRAW_NANOS;
  }

  @Override
  public synchronized void advance(final long predictions) {
    done += predictions;
    final long now = nanoClock.getAsLong();
    if (now - drawnAt >= REDRAW_NANOS) {
      drawnAt = now;
      out.print('\r' + line(now));
      out.flush();
    }
  }

  @Override
  public synchronized void close() {
    out.print('\r' + line(nanoClock.getAsLong()) + System.lineSeparator());
    out.flush();
  }

  /** The bar as drawn at {@code now}. */
  synchronized String line(final long now) {
    final double fraction = total <= 0 ? 1 : Math.min(1, done / (double) total);
    final int filled = (int) Math.round(fraction * WIDTH);
    final double seconds = (now - startedAt) / 1e9;
    return String.format(
        Locale.ROOT,
        "%-12s [%s%s] %5.1f%% %,d/%,d %s, %.0f/s",
        label,
        "=".repeat(filled),
        " ".repeat(WIDTH - filled),
        fraction * 100,
        done,
        total,
        unit,
        seconds > 0 ? done / seconds : 0.0);
  }
}
