package io.insession.load.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.insession.load.measure.CpuUse;
import io.insession.load.measure.LatencySummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.TreeMap;

/** Renders reports as a text table and as JSON. */
public final class Reports {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Reports() {}

  /** The report as pretty-printed JSON. */
  public static String toJson(final Object report) {
    try {
      return JSON.writeValueAsString(report);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write the report as JSON", e);
    }
  }

  /** Writes the JSON to a file (parent directories created). */
  public static void writeJson(final Object report, final Path file) throws IOException {
    final Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, toJson(report) + System.lineSeparator());
  }

  /** Reads a load report back (for tests and tooling). */
  public static LoadReport readLoadReport(final String json) throws IOException {
    return JSON.readValue(json, LoadReport.class);
  }

  /**
   * A fixed-width table: one row per phase, then the totals. The CPU columns are per phase: cores
   * used ({@code app-cpu}: the app's process; {@code gen-cpu}: the generator's JVM, with the broker
   * when embedded) and µs of CPU per event sent ({@code app-us/ev}, {@code gen-us/ev}); {@code -}
   * when unknown.
   */
  public static String table(final LoadReport r) {
    final StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "InSession end-to-end load (%s) on %s, bundle %s, sessions %s, %d open sessions%n",
            r.mode(),
            r.bootstrapServers(),
            r.bundle(),
            r.sessionsFile(),
            r.concurrency()));
    b.append(
        String.format(
            Locale.ROOT,
            "%d available processors; app CPU: %s%n",
            r.availableProcessors(),
            r.appPid() == null
                ? "unknown (app started separately: pass --app-pid)"
                : "pid " + r.appPid()));
    b.append(
        String.format(
            Locale.ROOT,
            "%9s %6s %9s %9s %8s %8s %8s %8s %8s %8s %8s %8s %7s %9s %7s %9s  %s%n",
            "target/s",
            "secs",
            "sent/s",
            "lists/s",
            "p50ms",
            "p95ms",
            "p99ms",
            "p99.9ms",
            "maxms",
            "pending",
            "grp-lag",
            "behindms",
            "app-cpu",
            "app-us/ev",
            "gen-cpu",
            "gen-us/ev",
            "verdict"));
    for (final StepReport s : r.phases()) {
      final LatencySummary l = s.latency();
      b.append(
          String.format(
              Locale.ROOT,
              "%9.0f %6.1f %9.0f %9.0f %8.1f %8.1f %8.1f %8.1f %8.1f %8d %8d %8.0f %7s %9s %7s %9s"
                  + "  %s%n",
              s.targetRate(),
              s.seconds(),
              s.sendRate(),
              s.listRate(),
              l.p50Ms(),
              l.p95Ms(),
              l.p99Ms(),
              l.p999Ms(),
              l.maxMs(),
              s.pendingAtEnd(),
              s.groupLagAtEnd(),
              s.maxBehindMs(),
              cores(s.appCpu()),
              microsPerEvent(s.appCpu()),
              cores(s.generatorCpu()),
              microsPerEvent(s.generatorCpu()),
              s.verdict()));
    }
    final LatencySummary t = r.latency();
    b.append(
        String.format(
            Locale.ROOT,
            "total: %d events sent, %d lists matched (%d cold-start fallbacks, %d unmatched);"
                + " latency p50 %.1f / p95 %.1f / p99 %.1f / p99.9 %.1f / max %.1f ms;"
                + " after drain: %d pending, group lag %d%n",
            r.sent(),
            r.lists(),
            r.fallbackLists(),
            r.unmatchedLists(),
            t.p50Ms(),
            t.p95Ms(),
            t.p99Ms(),
            t.p999Ms(),
            t.maxMs(),
            r.pendingAtEnd(),
            r.groupLagAtEnd()));
    if (r.badRecordsSent() > 0) {
      b.append(
          String.format(
              Locale.ROOT,
              "bad records (warm-up included): %d sent, %d dead letters %s%n",
              r.badRecordsSent(),
              r.deadLetters().values().stream().mapToLong(Long::longValue).sum(),
              new TreeMap<>(r.deadLetters())));
    }
    b.append(
        String.format(
            Locale.ROOT,
            "%s rate: %.0f events/s%n",
            "ramp".equals(r.mode()) ? "highest sustained" : "sustained",
            r.sustainableRate()));
    return b.toString();
  }

  private static String cores(final CpuUse use) {
    return use == null ? "-" : String.format(Locale.ROOT, "%.2f", use.cores());
  }

  private static String microsPerEvent(final CpuUse use) {
    return use == null || use.microsPerEvent() == null
        ? "-"
        : String.format(Locale.ROOT, "%.0f", use.microsPerEvent());
  }

  /** One block for a lookup run. */
  public static String table(final LookupReport r) {
    final LatencySummary l = r.latency();
    return String.format(
        Locale.ROOT,
        "InSession lookup API load on %s: %d connections, %d sessions, %.1f s%n"
            + "%10s %8s %8s %8s %8s %8s %8s %8s %8s%n"
            + "%10.0f %8d %8d %8d %8.2f %8.2f %8.2f %8.2f %8.2f%n",
        r.baseUrl(),
        r.concurrency(),
        r.sessions(),
        r.seconds(),
        "GET/s",
        "200",
        "404",
        "errors",
        "p50ms",
        "p95ms",
        "p99ms",
        "p99.9ms",
        "maxms",
        r.getsPerSecond(),
        r.ok(),
        r.notFound(),
        r.errors(),
        l.p50Ms(),
        l.p95Ms(),
        l.p99Ms(),
        l.p999Ms(),
        l.maxMs());
  }
}
