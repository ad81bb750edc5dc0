package io.insession.evaluation;

/** Reports how far a long task (an evaluation, an export) has come. Thread-safe. */
public interface Progress extends AutoCloseable {

  /** No output. */
  Progress NONE =
      new Progress() {
        @Override
        public void advance(final long predictions) {
          // quiet
        }

        @Override
        public void close() {
          // quiet
        }
      };

  /** Some more units (predictions, records) are done. */
  void advance(long units);

  /** The task is over (ends the line of a bar). */
  @Override
  void close();

  /**
   * A bar on stderr when allowed and the JVM has a terminal ({@link System#console()}), otherwise
   * {@link #NONE}.
   */
  static Progress forTask(final boolean allowed, final String label, final long total) {
    return forTask(allowed, label, total, "predictions");
  }

  /** As {@link #forTask(boolean, String, long)}, counting {@code unit} (e.g. "records"). */
  static Progress forTask(
      final boolean allowed, final String label, final long total, final String unit) {
    if (!allowed || System.console() == null) {
      return NONE;
    }
    return new ConsoleProgressBar(System.err, label, total, unit, System::nanoTime);
  }
}
