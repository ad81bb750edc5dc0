package io.insession.load.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.insession.load.measure.CpuMeter;
import io.insession.load.measure.CpuUse;
import io.insession.load.replay.Pacer;
import io.insession.load.replay.ReplayClick;
import io.insession.load.replay.SessionInterleaver;
import io.insession.load.replay.SessionSource;
import io.insession.load.stack.ChildApp;
import io.insession.load.stack.EmbeddedStack;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code post}: read-your-writes freshness where a frontend sees it. Each event is one {@code POST
 * /v1/events?wait_ms=N} at a fixed rate (open loop), and the figure is the time from sending the
 * request until its answer, with the list the event triggered, is in hand.
 */
@Command(
    name = "post",
    mixinStandardHelpOptions = true,
    description = {
      "POST events one by one to the collector with ?wait_ms (read-your-writes) at a fixed rate",
      "and measure POST -> list in hand (p50/p90/p99). Example (self-contained: broker,",
      "`insession run` and `insession lookup` as child processes):",
      "  load-tests/run post --embedded --rate 1000 --duration 20"
    })
final class PostCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(PostCommand.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Mixin AppOptions app;

  @Option(names = "--base-url", description = "A running API (default ${DEFAULT-VALUE}).")
  URI baseUrl = URI.create("http://127.0.0.1:8080");

  @Option(names = "--rate", description = "Events (POSTs) per second (default ${DEFAULT-VALUE}).")
  double rate = 1000;

  @Option(names = "--duration", paramLabel = "SECONDS", description = "Default ${DEFAULT-VALUE}.")
  int durationSeconds = 20;

  @Option(
      names = "--warmup-seconds",
      description = "Unmeasured POSTs first, at the same rate (default ${DEFAULT-VALUE}).")
  int warmupSeconds = 30;

  @Option(names = "--wait-ms", description = "The POSTs' wait_ms (default ${DEFAULT-VALUE}).")
  int waitMs = 2000;

  @Option(names = "--open-sessions", description = "Default ${DEFAULT-VALUE}.")
  int openSessions = 2000;

  @Option(names = "--sessions", paramLabel = "FILE", description = "Sessions replayed.")
  Path sessionsFile;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON.")
  Path json;

  @Option(names = "--seed", description = "Default ${DEFAULT-VALUE}.")
  long seed = 1;

  /**
   * One phase's figures.
   *
   * @param sent POSTs sent
   * @param withList answers that carried the event's list
   * @param pending answers without it (the wait ran out)
   * @param errors failed requests (not 202, or no answer)
   * @param sentPerSecond the rate achieved
   * @param behindMs how far the sender fell behind its schedule at the end
   * @param p50Ms POST to list in hand, median (answers with the list only)
   * @param p90Ms 90th percentile
   * @param p99Ms 99th percentile
   * @param p999Ms 99.9th percentile
   * @param maxMs maximum
   * @param appCpuCores CPU of the stream app process while sending (cores), -1 when unknown
   * @param lookupCpuCores CPU of the lookup API process (collector and read-your-writes view)
   * @param generatorCpuCores CPU of this process (the generator, and the broker when embedded)
   * @param errorKinds the errors by kind: {@code HTTP <status> <code>} or the client's exception
   */
  record Report(
      long sent,
      long withList,
      long pending,
      long errors,
      double sentPerSecond,
      double behindMs,
      double p50Ms,
      double p90Ms,
      double p99Ms,
      double p999Ms,
      double maxMs,
      double appCpuCores,
      double lookupCpuCores,
      double generatorCpuCores,
      Map<String, Long> errorKinds) {}

  @Override
  public Integer call() throws Exception {
    if (rate <= 0 || durationSeconds < 1 || waitMs < 1) {
      throw new IllegalArgumentException("--rate, --duration and --wait-ms must be positive");
    }
    try (StopSignal stop = new StopSignal()) {
      final Path workDir = app.embedded ? app.workDirOrDefault() : null;
      final EmbeddedStack stack = app.embedded ? EmbeddedStack.startBroker(workDir) : null;
      try {
        URI base = baseUrl;
        CpuMeter cpu = CpuMeter.unknown();
        CpuMeter lookupCpu = CpuMeter.unknown();
        if (stack != null) {
          final ChildApp run =
              stack.startApp(
                  app.appJarOrDefault(), app.bundleOrDefault(), app.javaOptions(), app.appSettings);
          final int port = EmbeddedStack.freePort();
          final ChildApp lookup = stack.startLookup(app.appJarOrDefault(), app.javaOptions(), port);
          System.err.printf(
              Locale.ROOT, "run pid %d, lookup pid %d (port %d)%n", run.pid(), lookup.pid(), port);
          base = URI.create("http://127.0.0.1:" + port);
          LookupCommand.awaitReady(base, lookup);
          cpu = CpuMeter.ofPid(run.pid());
          lookupCpu = CpuMeter.ofPid(lookup.pid());
        }
        Loopback.require(base.getHost() + ":" + base.getPort(), false);
        final Path sessionsPath = sessionsFile == null ? Paths.defaultSessions() : sessionsFile;
        final SessionInterleaver sessions =
            new SessionInterleaver(SessionSource.read(sessionsPath), openSessions, "post", seed);
        final ExecutorService callbacks = Executors.newFixedThreadPool(2);
        try {
          final HttpClient client =
              HttpClient.newBuilder()
                  .version(HttpClient.Version.HTTP_1_1)
                  .connectTimeout(Duration.ofSeconds(5))
                  .executor(callbacks)
                  .build();
          final URI target = URI.create(base + "/v1/events?wait_ms=" + waitMs);
          awaitFirstList(client, target, sessions);
          if (warmupSeconds > 0) {
            LOG.info("warm-up: {} s at {} POST/s", warmupSeconds, rate);
            phase(
                client,
                target,
                sessions,
                warmupSeconds,
                List.of(CpuMeter.unknown(), CpuMeter.unknown(), CpuMeter.unknown()),
                stop,
                "w");
          }
          final Report report =
              phase(
                  client,
                  target,
                  sessions,
                  durationSeconds,
                  List.of(cpu, lookupCpu, CpuMeter.currentProcess()),
                  stop,
                  "m");
          System.out.printf(
              Locale.ROOT,
              "POST -> list in hand (read-your-writes, wait_ms=%d) at %.0f/s for %d s, sessions %s%n"
                  + "  sent %d (%.0f/s, %.0f ms behind), with list %d, pending %d, errors %d%n"
                  + "  p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms;"
                  + " CPU (cores) stream app %.2f, lookup %.2f, generator+broker %.2f%n"
                  + "  errors by kind: %s%n",
              waitMs,
              rate,
              durationSeconds,
              sessionsPath,
              report.sent(),
              report.sentPerSecond(),
              report.behindMs(),
              report.withList(),
              report.pending(),
              report.errors(),
              report.p50Ms(),
              report.p90Ms(),
              report.p99Ms(),
              report.p999Ms(),
              report.maxMs(),
              report.appCpuCores(),
              report.lookupCpuCores(),
              report.generatorCpuCores(),
              report.errorKinds());
          if (json != null) {
            Files.createDirectories(json.toAbsolutePath().getParent());
            MAPPER.writerWithDefaultPrettyPrinter().writeValue(json.toFile(), report);
          }
          return report.errors() == 0 ? 0 : 1;
        } finally {
          callbacks.shutdownNow();
        }
      } finally {
        if (stack != null) {
          stack.close();
          StreamCommand.deleteQuietly(workDir.resolve("kafka"));
          StreamCommand.deleteQuietly(workDir.resolve("state"));
        }
      }
    }
  }

  private Report phase(
      final HttpClient client,
      final URI target,
      final SessionInterleaver sessions,
      final int seconds,
      final List<CpuMeter> cpus,
      final StopSignal stop,
      final String idPrefix)
      throws IOException {
    final Histogram micros = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    final AtomicLong withList = new AtomicLong();
    final AtomicLong pending = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final Map<String, LongAdder> errorKinds = new ConcurrentSkipListMap<>();
    final Pacer pacer = new Pacer(rate, System::nanoTime);
    final long total = (long) (rate * seconds);
    final List<CompletableFuture<?>> inFlight = new ArrayList<>();
    final List<CpuMeter.Interval> cpuIntervals = cpus.stream().map(CpuMeter::start).toList();
    long sent = 0;
    for (long i = 0; i < total && !stop.requested(); i++) {
      pacer.awaitDue(i);
      final ReplayClick click = sessions.next();
      final String body =
          MAPPER.writeValueAsString(
              Map.of(
                  "eventId",
                  idPrefix + "-" + seed + "-" + i,
                  "sessionId",
                  click.sessionId(),
                  "eventType",
                  "PRODUCT_VIEW",
                  "itemId",
                  click.itemId()));
      final long start = System.nanoTime();
      final HttpRequest request =
          HttpRequest.newBuilder(target)
              .timeout(Duration.ofMillis(waitMs + 10_000L))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body))
              .build();
      inFlight.add(
          client
              .sendAsync(request, HttpResponse.BodyHandlers.ofString())
              .handle(
                  (response, failure) -> {
                    final long tookMicros = (System.nanoTime() - start) / 1_000;
                    if (failure != null || response.statusCode() != 202) {
                      errors.incrementAndGet();
                      errorKinds
                          .computeIfAbsent(errorKind(response, failure), k -> new LongAdder())
                          .increment();
                      return null;
                    }
                    if (hasList(response.body())) {
                      synchronized (micros) {
                        micros.recordValue(Math.min(tookMicros, micros.getHighestTrackableValue()));
                      }
                      withList.incrementAndGet();
                    } else {
                      pending.incrementAndGet();
                    }
                    return null;
                  }));
      sent++;
    }
    final double behindMs = pacer.behindNanos(Math.max(0, sent - 1), System.nanoTime()) / 1e6;
    final double elapsedSeconds = (System.nanoTime() - pacer.startNanos()) / 1e9;
    final long sentAll = sent;
    final List<Double> cores =
        cpuIntervals.stream()
            .map(interval -> interval.end(sentAll).map(CpuUse::cores).orElse(-1.0))
            .toList();
    CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).join();
    synchronized (micros) {
      return new Report(
          sent,
          withList.get(),
          pending.get(),
          errors.get(),
          sent / elapsedSeconds,
          Math.max(0, behindMs),
          ms(micros, 50),
          ms(micros, 90),
          ms(micros, 99),
          ms(micros, 99.9),
          micros.getTotalCount() == 0 ? 0 : micros.getMaxValue() / 1_000.0,
          cores.get(0),
          cores.get(1),
          cores.get(2),
          errorKinds.entrySet().stream()
              .collect(
                  Collectors.toMap(
                      Map.Entry::getKey, e -> e.getValue().sum(), (a, b) -> a + b, TreeMap::new)));
    }
  }

  /**
   * POSTs one event at a time until one is answered with its list: the stream app is RUNNING and
   * scoring (its start, model warm-up and rebalance take a while on a loaded machine).
   */
  private void awaitFirstList(
      final HttpClient client, final URI target, final SessionInterleaver sessions)
      throws IOException, InterruptedException {
    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    for (int attempt = 0; System.nanoTime() < deadline; attempt++) {
      final ReplayClick click = sessions.next();
      final HttpRequest request =
          HttpRequest.newBuilder(target)
              .timeout(Duration.ofMillis(waitMs + 10_000L))
              .header("Content-Type", "application/json")
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      MAPPER.writeValueAsString(
                          Map.of(
                              "eventId",
                              "first-" + seed + "-" + attempt,
                              "sessionId",
                              click.sessionId(),
                              "eventType",
                              "PRODUCT_VIEW",
                              "itemId",
                              click.itemId()))))
              .build();
      final HttpResponse<String> response =
          client.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 202 && hasList(response.body())) {
        LOG.info("first list after {} POSTs", attempt + 1);
        return;
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
    throw new IllegalStateException("no POST was answered with its list within 300 s");
  }

  /** {@code HTTP 503 NOT_ACKNOWLEDGED} for an error answer, the exception's class otherwise. */
  private static String errorKind(final HttpResponse<String> response, final Throwable failure) {
    if (failure != null) {
      final Throwable cause =
          failure instanceof CompletionException && failure.getCause() != null
              ? failure.getCause()
              : failure;
      return cause.getClass().getSimpleName();
    }
    String code = "";
    try {
      code = MAPPER.readTree(response.body()).path("code").asText("");
    } catch (IOException e) {
      code = "(no JSON)";
    }
    return ("HTTP " + response.statusCode() + " " + code).strip();
  }

  private static boolean hasList(final String body) {
    try {
      final JsonNode answer = MAPPER.readTree(body);
      return answer.path("recommendations").size() > 0;
    } catch (IOException e) {
      return false;
    }
  }

  private static double ms(final Histogram micros, final double percentile) {
    return micros.getTotalCount() == 0 ? 0 : micros.getValueAtPercentile(percentile) / 1_000.0;
  }
}
