package io.insession.load.http;

import io.insession.load.measure.LatencySummary;
import io.insession.load.report.LookupReport;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Closed-loop GET load on the lookup API: {@code concurrency} threads, each with one keep-alive
 * connection and one request at a time, asking for the latest list of a random session; bounded by
 * a duration and a request count.
 */
public final class LookupLoad {

  private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(1);
  private static final long MAX_ERRORS = 1_000;

  private final URI base;
  private final List<String> sessionIds;

  /**
   * @param base e.g. {@code http://127.0.0.1:8080} (loopback only)
   * @param sessionIds the sessions to ask for
   */
  public LookupLoad(final URI base, final List<String> sessionIds) {
    if (sessionIds.isEmpty()) {
      throw new IllegalArgumentException("no session ids to look up");
    }
    this.base = base;
    this.sessionIds = List.copyOf(sessionIds);
  }

  /** The path of one session's list. */
  static String path(final String sessionId) {
    return "/v1/sessions/"
        + URLEncoder.encode(sessionId, StandardCharsets.UTF_8).replace("+", "%20")
        + "/recommendations";
  }

  /** Runs the load and reports it. */
  public LookupReport run(
      final int concurrency, final Duration duration, final long maxRequests, final long seed)
      throws InterruptedException {
    final Recorder latency = new Recorder(HIGHEST_MICROS, 3);
    final LongAdder requests = new LongAdder();
    final LongAdder ok = new LongAdder();
    final LongAdder notFound = new LongAdder();
    final LongAdder errors = new LongAdder();
    final String startedAt = Instant.now().toString();
    final long start = System.nanoTime();
    final long deadline = start + duration.toNanos();
    final List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < concurrency; w++) {
      final SplittableRandom random = new SplittableRandom(seed + w);
      final Thread worker =
          new Thread(
              () -> {
                try (KeepAliveHttpClient client =
                    new KeepAliveHttpClient(base.getHost(), base.getPort())) {
                  while (System.nanoTime() < deadline
                      && requests.sum() < maxRequests
                      && errors.sum() < MAX_ERRORS) {
                    final String id = sessionIds.get(random.nextInt(sessionIds.size()));
                    final long t0 = System.nanoTime();
                    try {
                      final int code = client.get(path(id));
                      latency.recordValue(
                          Math.min(HIGHEST_MICROS, (System.nanoTime() - t0) / 1_000L));
                      requests.increment();
                      if (code == 200) {
                        ok.increment();
                      } else if (code == 404) {
                        notFound.increment();
                      } else {
                        errors.increment();
                      }
                    } catch (IOException e) {
                      errors.increment();
                      client.disconnect();
                    }
                  }
                } catch (IOException e) {
                  errors.increment();
                }
              },
              "lookup-load-" + w);
      worker.setDaemon(true);
      workers.add(worker);
      worker.start();
    }
    for (final Thread worker : workers) {
      worker.join();
    }
    final double seconds = (System.nanoTime() - start) / 1e9;
    final Histogram all = latency.getIntervalHistogram();
    return new LookupReport(
        startedAt,
        base.toString(),
        sessionIds.size(),
        concurrency,
        Math.round(seconds * 10) / 10.0,
        requests.sum(),
        ok.sum(),
        notFound.sum(),
        errors.sum(),
        Math.round(requests.sum() / seconds),
        LatencySummary.ofMicros(all));
  }
}
