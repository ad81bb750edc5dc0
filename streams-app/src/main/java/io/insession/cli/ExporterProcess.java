package io.insession.cli;

import io.insession.config.InSessionConfig;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * Runs model-exporter ({@code python -m insession_exporter ...}) as a child process: the Python of
 * {@code insession.retrain.python} with {@code insession.retrain.exporter.dir} on {@code
 * PYTHONPATH}. Its log lines are passed on as they come; a failure says what was missing.
 */
final class ExporterProcess {

  /** Log lines kept for the error message of a failed run. */
  private static final int TAIL_LINES = 15;

  /** The exporter could not run or failed; the message says why and what to do. */
  static final class ExporterException extends Exception {
    private static final long serialVersionUID = 1L;

    ExporterException(final String message) {
      super(message);
    }
  }

  private final String python;
  private final Path exporterDir;

  private ExporterProcess(final String python, final Path exporterDir) {
    this.python = python;
    this.exporterDir = exporterDir;
  }

  /** The exporter the settings name. */
  static ExporterProcess from(final InSessionConfig config) {
    return new ExporterProcess(
        config.getString(InSessionConfig.RETRAIN_PYTHON),
        Path.of(config.getString(InSessionConfig.RETRAIN_EXPORTER_DIR)).toAbsolutePath());
  }

  /**
   * Checks that the exporter's directory holds the package and that the Python imports torch, onnx
   * and numpy.
   */
  void check() throws ExporterException, InterruptedException {
    if (!Files.isRegularFile(exporterDir.resolve("insession_exporter").resolve("__init__.py"))) {
      throw new ExporterException(
          "model-exporter not found: "
              + exporterDir
              + " holds no package insession_exporter (set "
              + InSessionConfig.RETRAIN_EXPORTER_DIR
              + " to the model-exporter directory of the InSession checkout)");
    }
    final Result result =
        run(List.of("-c", "import torch, onnx, numpy"), line -> {}, "importing torch");
    if (result.exitCode() != 0) {
      throw new ExporterException(
          "Python "
              + python
              + " cannot import torch, onnx and numpy ("
              + result.lastLine()
              + "): install them (model-exporter/README.md: Debian packages python3-torch"
              + " python3-onnx python3-numpy, or pip install -r model-exporter/requirements.txt)"
              + " or set "
              + InSessionConfig.RETRAIN_PYTHON
              + " to a Python that has them");
    }
  }

  /**
   * Runs {@code python -m insession_exporter ARGS}; each log line goes to {@code log} (null: kept
   * quiet).
   *
   * @throws ExporterException when it exits non-zero (the message ends with its last log lines)
   */
  void exporter(final List<String> args, final PrintWriter log)
      throws ExporterException, InterruptedException {
    final List<String> all = new ArrayList<>(List.of("-m", "insession_exporter"));
    all.addAll(args);
    final Result result =
        run(
            all,
            line -> {
              if (log != null) {
                log.println("  exporter| " + line);
                log.flush();
              }
            },
            "running model-exporter");
    if (result.exitCode() != 0) {
      throw new ExporterException(
          "model-exporter failed (exit code "
              + result.exitCode()
              + "): "
              + python
              + " "
              + String.join(" ", all)
              + System.lineSeparator()
              + String.join(System.lineSeparator(), result.tail()));
    }
  }

  /** What a child process left: its exit code and last lines. */
  private record Result(int exitCode, List<String> tail) {
    String lastLine() {
      return tail.isEmpty() ? "no output" : tail.get(tail.size() - 1);
    }
  }

  /** Receives a line of the child's output. */
  @FunctionalInterface
  private interface LineSink {
    void accept(String line);
  }

  private Result run(final List<String> args, final LineSink sink, final String what)
      throws ExporterException, InterruptedException {
    final List<String> command = new ArrayList<>(List.of(python));
    command.addAll(args);
    final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    final Map<String, String> env = builder.environment();
    final String pythonPath = env.get("PYTHONPATH");
    env.put(
        "PYTHONPATH",
        pythonPath == null || pythonPath.isEmpty()
            ? exporterDir.toString()
            : exporterDir + File.pathSeparator + pythonPath);
    final Process process;
    try {
      process = builder.start();
    } catch (final IOException e) {
      throw new ExporterException(
          "cannot start Python "
              + python
              + " ("
              + e.getMessage()
              + "): install Python 3 with torch, onnx and numpy (model-exporter/README.md) or set "
              + InSessionConfig.RETRAIN_PYTHON
              + " to its path");
    }
    final Deque<String> tail = new ArrayDeque<>();
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        sink.accept(line);
        tail.addLast(line);
        if (tail.size() > TAIL_LINES) {
          tail.removeFirst();
        }
      }
      return new Result(process.waitFor(), List.copyOf(tail));
    } catch (final IOException e) {
      throw new ExporterException("lost the output of Python while " + what + ": " + e);
    } finally {
      if (process.isAlive()) {
        process.destroyForcibly();
      }
    }
  }
}
