package io.insession.evaluation;

/** Reports how far a long evaluation has come. Implementations are thread-safe. */
interface Progress extends AutoCloseable {

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

  /** Some more predictions are done. */
  void advance(long predictions);

  /** The task is over (ends the line of a bar). */
  @Override
  void close();

  /**
   * A bar on stderr when allowed and the JVM has a terminal ({@link System#console()}), otherwise
   * {@link #NONE}.
   */
  static Progress forTask(final boolean allowed, final String label, final long total) {
    if (!allowed || System.console() == null) {
      return NONE;
    }
    return new ConsoleProgressBar(System.err, label, total, System::nanoTime);
  }
}
