package io.insession.load.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code insession} CLI command ({@code run}, {@code lookup}) in its own JVM, started from the
 * app's jar with this JVM's {@code java}; its output goes to a log file. {@link #close()} sends
 * SIGTERM to that one process (the app shuts down cleanly), then kills it after 30 s.
 */
public final class ChildApp implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ChildApp.class);
  private static final int LOG_LINES_ON_EXIT = 40;

  private final Process process;
  private final String name;
  private final Path log;

  private ChildApp(final Process process, final String name, final Path log) {
    this.process = process;
    this.name = name;
    this.log = log;
  }

  /**
   * Starts {@code java <javaOptions> -jar <appJar> <args>}.
   *
   * @param log where its stdout and stderr go
   */
  public static ChildApp start(
      final String name,
      final Path appJar,
      final List<String> javaOptions,
      final List<String> args,
      final Path log)
      throws IOException {
    final List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    // out of heap, the app exits (and the run fails) rather than hanging
    command.add("-XX:+ExitOnOutOfMemoryError");
    command.addAll(javaOptions);
    command.add("-jar");
    command.add(appJar.toString());
    command.addAll(args);
    final Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    LOG.info(
        "Started {} (pid {}), log {}: {}", name, process.pid(), log, String.join(" ", command));
    return new ChildApp(process, name, log);
  }

  /** The child's process id (for jcmd / JFR). */
  public long pid() {
    return process.pid();
  }

  /** The child's process (for its CPU time). */
  public ProcessHandle handle() {
    return process.toHandle();
  }

  /** Its log file. */
  public Path log() {
    return log;
  }

  /**
   * Throws when the process has ended (it should run until closed).
   *
   * @throws IllegalStateException naming the exit code and the log, with the log's last lines (a
   *     test's temporary folder and the log with it may be gone by the time anyone looks)
   */
  public void requireAlive() {
    if (!process.isAlive()) {
      throw new IllegalStateException(
          name
              + " exited with code "
              + process.exitValue()
              + "; see "
              + log
              + "; its last lines:\n"
              + lastLines(LOG_LINES_ON_EXIT));
    }
  }

  /** The last {@code n} lines of its log (a note instead when the log cannot be read). */
  public String lastLines(final int n) {
    try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
      final Deque<String> tail = new ArrayDeque<>(n);
      lines.forEach(
          line -> {
            if (tail.size() == n) {
              tail.removeFirst();
            }
            tail.addLast(line);
          });
      return String.join("\n", tail);
    } catch (IOException | UncheckedIOException e) {
      return "(the log cannot be read: " + e + ")";
    }
  }

  /** Whether the process still runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /**
   * {@code kill -9}: the process ends at once, without closing anything (no commit, no leaving the
   * group, no flushed state); returns once it has ended.
   */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException(name + " (pid " + process.pid() + ") survived SIGKILL");
    }
  }

  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        LOG.warn("{} (pid {}) did not stop in 30 s; killing it", name, process.pid());
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
