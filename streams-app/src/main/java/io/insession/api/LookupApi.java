package io.insession.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.insession.metrics.PrometheusMetrics;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.json.JavalinJackson;
import io.javalin.router.JavalinDefaultRouting;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP lookup API: serves the latest recommendation list of a session.
 *
 * <ul>
 *   <li>{@code GET /v1/sessions/{sessionId}/recommendations}: 200 with a {@link
 *       RecommendationView}, or 404 {@code {"error": ..., "sessionId": ...}} when none is known;
 *   <li>{@code GET /health}: liveness, 200 {@code {"status":"UP"}}, or 503 once the consumer failed
 *       for good;
 *   <li>{@code GET /ready}: readiness, 200 once the consumer has caught up with the topic, 503 with
 *       what it still waits for otherwise;
 *   <li>{@code GET /metrics}: the API's meters in the Prometheus text format (the consumer's Kafka
 *       client metrics and the source's counts, when the source binds them).
 * </ul>
 *
 * Every other answer, errors included, is JSON. The API owns its {@link RecommendationSource} and
 * closes it on {@link #close()}.
 */
public final class LookupApi implements AutoCloseable {

  /** Path of the lookup route; {@code {sessionId}} is the path parameter. */
  public static final String RECOMMENDATIONS_PATH = "/v1/sessions/{sessionId}/recommendations";

  private static final Logger LOG = LoggerFactory.getLogger(LookupApi.class);

  private final Javalin app;
  private final RecommendationSource source;
  private final AtomicBoolean closed = new AtomicBoolean();

  private LookupApi(final Javalin app, final RecommendationSource source) {
    this.app = app;
    this.source = source;
  }

  /**
   * Starts the consumer of the recommendations topic and the HTTP server.
   *
   * @param settings Kafka, topic, port and cache settings
   * @return the running API
   */
  public static LookupApi start(final LookupApiSettings settings) {
    return start(settings, PrometheusMetrics.newRegistry());
  }

  /**
   * Starts the consumer of the recommendations topic, with its metrics in {@code registry}, and the
   * HTTP server, which serves {@code registry} on {@code GET /metrics}.
   *
   * @param settings Kafka, topic, port and cache settings
   * @param registry the registry to fill and serve
   * @return the running API
   */
  public static LookupApi start(
      final LookupApiSettings settings, final PrometheusMeterRegistry registry) {
    LOG.info("Starting the lookup API with {}", settings);
    final LatestRecommendations latest = new LatestRecommendations(settings);
    latest.bindTo(registry);
    latest.start();
    return start(latest, settings.port(), registry);
  }

  /**
   * Starts the HTTP server on a given source, e.g. a stub in tests. The source is closed if the
   * server does not start.
   *
   * @param source where the lists come from; owned by the API from now on
   * @param port the HTTP port, 0 for any free one
   * @return the running API
   */
  public static LookupApi start(final RecommendationSource source, final int port) {
    return start(source, port, PrometheusMetrics.newRegistry());
  }

  /**
   * Starts the HTTP server on a given source, serving {@code registry} on {@code GET /metrics}. The
   * source is closed if the server does not start.
   *
   * @param source where the lists come from; owned by the API from now on
   * @param port the HTTP port, 0 for any free one
   * @param registry the meters to serve
   * @return the running API
   */
  public static LookupApi start(
      final RecommendationSource source, final int port, final PrometheusMeterRegistry registry) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(registry, "registry");
    final long startNanos = System.nanoTime();
    try {
      final Javalin app = createServer(source, registry).start(port);
      LOG.info(
          "Lookup API listening on port {} (started in {} ms)",
          app.port(),
          (System.nanoTime() - startNanos) / 1_000_000);
      return new LookupApi(app, source);
    } catch (RuntimeException e) {
      source.close();
      throw e;
    }
  }

  /** The bound HTTP port (the real one when 0 was asked for). */
  public int port() {
    return app.port();
  }

  /** Stops the HTTP server, then the source. Safe to call more than once. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      app.stop();
    } finally {
      source.close();
    }
    LOG.info("Lookup API stopped");
  }

  private static Javalin createServer(
      final RecommendationSource source, final PrometheusMeterRegistry registry) {
    final ObjectMapper mapper = new ObjectMapper();
    final Routes routes = new Routes(source, registry);
    return Javalin.create(
        config -> {
          config.showJavalinBanner = false;
          config.jsonMapper(new JavalinJackson(mapper, false));
          config.router.mount(routes::register);
        });
  }

  /** An error answer; {@code sessionId} is left out when null. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record ErrorBody(String error, String sessionId) {}

  /** The request handlers, kept apart from the server's lifecycle. */
  private static final class Routes {
    private final RecommendationSource source;
    private final PrometheusMeterRegistry registry;

    Routes(final RecommendationSource source, final PrometheusMeterRegistry registry) {
      this.source = source;
      this.registry = registry;
    }

    void register(final JavalinDefaultRouting router) {
      router.get(RECOMMENDATIONS_PATH, this::recommendations);
      router.get("/health", this::health);
      router.get("/ready", this::ready);
      router.get(PrometheusMetrics.PATH, ctx -> PrometheusMetrics.scrape(registry, ctx));
      router.exception(HttpResponseException.class, this::httpError);
      router.exception(Exception.class, this::unexpected);
    }

    private void recommendations(final Context ctx) {
      final String sessionId = ctx.pathParam("sessionId");
      source
          .latest(sessionId)
          .ifPresentOrElse(
              list -> ctx.json(RecommendationView.from(list)),
              () ->
                  ctx.status(HttpStatus.NOT_FOUND)
                      .json(
                          new ErrorBody("no recommendations for session " + sessionId, sessionId)));
    }

    private void health(final Context ctx) {
      if (source.isAlive()) {
        ctx.json(Map.of("status", "UP"));
      } else {
        ctx.status(HttpStatus.SERVICE_UNAVAILABLE).json(Map.of("status", "DOWN"));
      }
    }

    private void ready(final Context ctx) {
      final Readiness readiness = source.readiness();
      if (readiness.ready()) {
        ctx.json(Map.of("status", "READY"));
      } else {
        ctx.status(HttpStatus.SERVICE_UNAVAILABLE)
            .json(
                Map.of(
                    "status",
                    "NOT_READY",
                    "waitingFor",
                    readiness.waitingFor(),
                    "recordsBehind",
                    readiness.recordsBehind()));
      }
    }

    private void httpError(final HttpResponseException e, final Context ctx) {
      ctx.status(e.getStatus()).json(new ErrorBody(e.getMessage(), null));
    }

    private void unexpected(final Exception e, final Context ctx) {
      LOG.error("Unexpected error answering {} {}", ctx.method(), ctx.path(), e);
      ctx.status(HttpStatus.INTERNAL_SERVER_ERROR).json(new ErrorBody("internal error", null));
    }
  }
}
