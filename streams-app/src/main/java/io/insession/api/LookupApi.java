package io.insession.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.insession.catalog.CatalogJson;
import io.insession.catalog.ItemCatalog;
import io.insession.experiments.ExperimentBoard;
import io.insession.experiments.ExperimentJson;
import io.insession.http.HttpGuard;
import io.insession.http.HttpSecurity;
import io.insession.http.Refusal;
import io.insession.http.Refusals;
import io.insession.http.Scope;
import io.insession.metrics.PrometheusMetrics;
import io.insession.schemas.CatalogItem;
import io.insession.schemas.ExperimentKpis;
import io.insession.scoring.Candidate;
import io.javalin.Javalin;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.ContentType;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.json.JavalinJackson;
import io.javalin.router.JavalinDefaultRoutingApi;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP lookup API: serves the latest recommendation list of a session, pushes new ones, and
 * collects events.
 *
 * <ul>
 *   <li>{@code GET /v1/sessions/{sessionId}/recommendations}: 200 with a {@link
 *       RecommendationView}; for a session with no list yet, 200 with the fallback ({@link
 *       FallbackLists}: live trending, else the bundle's popularity list) marked {@code "fallback":
 *       true, "fallbackSource": "trending"|"popular"}, or 404 {@code {"error": ..., "sessionId":
 *       ...}} when there is none or {@code ?fallback=none} asks for the 404 (400 {@code
 *       BAD_FALLBACK} for another value); with {@code ?include=items} each item also carries its
 *       catalogue record under {@code "item"} (null when the catalogue does not list it); {@code
 *       ?category=}, {@code ?min_price=}, {@code ?max_price=} filter the list by the catalogue and
 *       fill it up from the fallback ({@link ListFilter}; 400 {@code BAD_FILTER} for a bad value);
 *       both need a catalogue (400 {@code NO_CATALOG} when this instance serves none, see {@code
 *       insession.api.catalog.enabled});
 *   <li>{@code GET /v1/sessions/{sessionId}/recommendations/stream} with {@code Accept:
 *       text/event-stream}: Server-Sent Events, the latest list then every new one (see {@link
 *       RecommendationStreams}); 406 without that header, 503 when too many streams are open;
 *   <li>{@code POST /v1/events}: one event object or an array of them (see {@link EventParser});
 *       202 {@code {"accepted": n, "eventIds": [...]}} once Kafka acknowledged all of them, 400
 *       {@code {"error", "code": "INVALID_EVENTS", "retryable": false, "errors": [{"index",
 *       "field", "reason"}]}} when any is invalid (nothing is written then), 400 {@code
 *       REFUSED_BY_KAFKA} when Kafka refused them for what they are, 413 when the body is larger
 *       than {@link HttpLimits#maxRequestBytes()}, 503 {@code NOT_ACKNOWLEDGED} ({@code
 *       "retryable": true}) when Kafka did not acknowledge in time, 404 when this instance has no
 *       collector;
 *   <li>{@code DELETE /v1/sessions/{sessionId}}: forget the session (an operator's route: it needs
 *       the {@code operate} scope once the API checks scopes): writes the {@code FORGET_SESSION}
 *       control record to the weblog topic through the collector's producer and drops the cached
 *       list at once; the stream then deletes the session's state and tombstones its lists. 202
 *       {@code {"sessionId", "forgetEventId"}} once Kafka acknowledged it, also for a session
 *       nobody knows (idempotent); 503 {@code NOT_ACKNOWLEDGED} when Kafka did not in time; 404
 *       {@code NO_COLLECTOR} when this instance has no collector;
 *   <li>{@code GET /health}: liveness, 200 {@code {"status":"UP"}}, or 503 once the consumer failed
 *       for good;
 *   <li>{@code GET /ready}: readiness, 200 once the consumer has caught up with the topic, 503 with
 *       what it still waits for otherwise;
 *   <li>{@code GET /metrics}: the API's meters in the Prometheus text format (the consumer's Kafka
 *       client metrics and the source's counts, when the source binds them).
 * </ul>
 *
 * A session id longer than {@link HttpLimits#maxSessionIdChars()} is answered 400 {@code
 * SESSION_ID_TOO_LONG} on both GET routes. Every error body says {@code "code"} and whether a retry
 * may succeed ({@code "retryable"}): only 503s are retryable. A connection idle (no byte read or
 * written, slow headers included) for {@link HttpLimits#idleTimeout()} is closed. Every other
 * answer, errors included, is JSON; only what Jetty refuses before routing (a request line over 8
 * KiB: 414, malformed HTTP: 400) is not. The API owns its {@link RecommendationSource} and closes
 * it on {@link #close()}.
 */
public final class LookupApi implements AutoCloseable {

  /** Path of an experiment's live KPIs (docs/experiments.md). */
  public static final String EXPERIMENT_PATH = "/v1/experiments/{experimentId}";

  /** Path of the list of experiments with live KPIs. */
  public static final String EXPERIMENTS_PATH = "/v1/experiments";

  /** Path of the lookup route; {@code {sessionId}} is the path parameter. */
  public static final String RECOMMENDATIONS_PATH = "/v1/sessions/{sessionId}/recommendations";

  /** Path of a session, for {@code DELETE} (forget it). */
  public static final String SESSION_PATH = "/v1/sessions/{sessionId}";

  /** Path of the push stream (Server-Sent Events) of a session's lists. */
  public static final String STREAM_PATH = RECOMMENDATIONS_PATH + "/stream";

  /** Path of the event collector. */
  public static final String EVENTS_PATH = "/v1/events";

  /**
   * Value of the {@code fallback} query parameter that keeps the 404 for a session without a list.
   */
  public static final String FALLBACK_NONE = "none";

  /** Value of the {@code include} query parameter that adds catalogue records to each item. */
  public static final String INCLUDE_ITEMS = "items";

  private static final Logger LOG = LoggerFactory.getLogger(LookupApi.class);

  private final Javalin app;
  private final Javalin metrics;
  private final RecommendationSource source;
  private final EventCollector collector;
  private final RecommendationStreams streams;
  private final ReadYourWrites fresh;
  private final RecommendationStreams freshStreams;
  private final Duration drainWithin;
  private final AtomicBoolean closed = new AtomicBoolean();

  private LookupApi(
      final Javalin app,
      final Javalin metrics,
      final RecommendationSource source,
      final EventCollector collector,
      final RecommendationStreams streams,
      final ReadYourWrites fresh,
      final RecommendationStreams freshStreams,
      final Duration drainWithin) {
    this.app = app;
    this.metrics = metrics;
    this.source = source;
    this.collector = collector;
    this.streams = streams;
    this.fresh = fresh;
    this.freshStreams = freshStreams;
    this.drainWithin = drainWithin;
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
   * Starts the consumer of the recommendations topic, with its metrics in {@code registry}, the
   * event collector's producer when {@code settings.collector()} is set, and the HTTP server, which
   * serves {@code registry} on {@code GET /metrics}.
   *
   * @param settings Kafka, topic, port, cache, collector and push settings
   * @param registry the registry to fill and serve
   * @return the running API
   */
  public static LookupApi start(
      final LookupApiSettings settings, final PrometheusMeterRegistry registry) {
    return start(settings, registry, null);
  }

  /**
   * As {@link #start(LookupApiSettings, PrometheusMeterRegistry)}, with a catalogue for {@code
   * ?include=items} (null for none; the caller owns it).
   */
  public static LookupApi start(
      final LookupApiSettings settings,
      final PrometheusMeterRegistry registry,
      final ItemCatalog catalog) {
    return start(settings, registry, catalog, FallbackLists.NONE, null);
  }

  /**
   * As {@link #start(LookupApiSettings, PrometheusMeterRegistry, ItemCatalog)}, with the fallback
   * for a session without a list ({@link FallbackLists#NONE}: 404) and the experiments served on
   * {@code GET /v1/experiments/{id}} and as gauges in {@code registry} (null: none, 404; the caller
   * owns it).
   */
  public static LookupApi start(
      final LookupApiSettings settings,
      final PrometheusMeterRegistry registry,
      final ItemCatalog catalog,
      final FallbackLists fallback,
      final ExperimentBoard experiments) {
    LOG.info("Starting the lookup API with {}", settings);
    if (settings.collector() != null) {
      settings.http().requireArraysOf(settings.collector().maxBatchEvents());
    }
    final LatestRecommendations latest = new LatestRecommendations(settings);
    EventCollector collector = null;
    ReadYourWrites fresh = null;
    try {
      latest.bindTo(registry);
      if (settings.collector() != null) {
        collector = EventCollector.create(settings);
      }
      fresh = ReadYourWrites.start(settings);
    } catch (RuntimeException e) {
      if (collector != null) {
        collector.close();
      }
      latest.close();
      throw e;
    }
    latest.start();
    return start(
        latest,
        collector,
        fresh,
        settings.push(),
        settings.http(),
        settings.security(),
        settings.binding(),
        registry,
        catalog,
        fallback,
        experiments);
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
    return start(source, null, PushSettings.defaults(), HttpLimits.defaults(), port, registry);
  }

  /**
   * Starts the HTTP server on a given source and collector with the default HTTP limits.
   *
   * @see #start(RecommendationSource, EventCollector, PushSettings, HttpLimits, int,
   *     PrometheusMeterRegistry)
   */
  public static LookupApi start(
      final RecommendationSource source,
      final EventCollector collector,
      final PushSettings push,
      final int port,
      final PrometheusMeterRegistry registry) {
    return start(source, collector, push, HttpLimits.defaults(), port, registry);
  }

  /**
   * Starts the HTTP server on a given source and collector, e.g. stubs in tests. Both are closed if
   * the server does not start.
   *
   * @param source where the lists come from; owned by the API from now on
   * @param collector what {@code POST /v1/events} hands events to, its meters bound to {@code
   *     registry} here; null for no collector (404); owned by the API from now on
   * @param push the push stream's settings
   * @param limits request size, session id length and idle timeout
   * @param port the HTTP port, 0 for any free one
   * @param registry the meters to serve
   * @return the running API
   */
  public static LookupApi start(
      final RecommendationSource source,
      final EventCollector collector,
      final PushSettings push,
      final HttpLimits limits,
      final int port,
      final PrometheusMeterRegistry registry) {
    return start(source, collector, push, limits, port, registry, null);
  }

  /**
   * Starts the HTTP server on a given source, collector and catalogue.
   *
   * @param catalog where {@code ?include=items} looks items up; null when this instance serves no
   *     catalogue ({@code ?include=items} then answers 400 {@code NO_CATALOG})
   * @see #start(RecommendationSource, EventCollector, PushSettings, HttpLimits, int,
   *     PrometheusMeterRegistry)
   */
  public static LookupApi start(
      final RecommendationSource source,
      final EventCollector collector,
      final PushSettings push,
      final HttpLimits limits,
      final int port,
      final PrometheusMeterRegistry registry,
      final ItemCatalog catalog) {
    return start(source, collector, push, limits, port, registry, catalog, FallbackLists.NONE);
  }

  /**
   * Starts the HTTP server on a given source, collector, catalogue and fallback.
   *
   * @param fallback what a session without a list is answered, and what filtered lists are filled
   *     up from ({@link FallbackLists#NONE}: 404, no filling up)
   * @see #start(RecommendationSource, EventCollector, PushSettings, HttpLimits, int,
   *     PrometheusMeterRegistry, ItemCatalog)
   */
  public static LookupApi start(
      final RecommendationSource source,
      final EventCollector collector,
      final PushSettings push,
      final HttpLimits limits,
      final int port,
      final PrometheusMeterRegistry registry,
      final ItemCatalog catalog,
      final FallbackLists fallback) {
    return start(
        source,
        collector,
        null,
        push,
        limits,
        HttpSecurity.none(),
        ApiBinding.anyHost(port),
        registry,
        catalog,
        fallback,
        null);
  }

  /**
   * Starts the HTTP server on a given source, serving the experiments of {@code experiments} (a
   * stub in tests; the caller owns it).
   */
  public static LookupApi start(
      final RecommendationSource source,
      final int port,
      final PrometheusMeterRegistry registry,
      final ExperimentBoard experiments) {
    return start(
        source,
        null,
        null,
        PushSettings.defaults(),
        HttpLimits.defaults(),
        HttpSecurity.none(),
        ApiBinding.anyHost(port),
        registry,
        null,
        FallbackLists.NONE,
        experiments);
  }

  /**
   * Starts the HTTP servers (the API and its metrics) on a given source and collector. Both are
   * closed if a server does not start.
   *
   * @param source where the lists come from; owned by the API from now on
   * @param collector what {@code POST /v1/events} hands events to, its meters bound to {@code
   *     registry} here; null for no collector (404); owned by the API from now on
   * @param push the push stream's settings
   * @param limits request size, session id length, JSON shape, streams per client, timeouts
   * @param security authentication, rate limits and CORS ({@link HttpSecurity#none()}: none)
   * @param binding the addresses and ports of the API and of its metrics
   * @param registry the meters to fill and serve
   * @return the running API
   */
  public static LookupApi start(
      final RecommendationSource source,
      final EventCollector collector,
      final PushSettings push,
      final HttpLimits limits,
      final HttpSecurity security,
      final ApiBinding binding,
      final PrometheusMeterRegistry registry) {
    return start(
        source,
        collector,
        null,
        push,
        limits,
        security,
        binding,
        registry,
        null,
        FallbackLists.NONE,
        null);
  }

  /**
   * The same with the read_uncommitted view for callers that opt in ({@link ReadYourWrites}; null:
   * none), owned by the API from now on (its push streams share the per-client limit), and a
   * catalogue for {@code ?include=items} (null for none; the caller owns it), and the experiments
   * for {@code GET /v1/experiments/{id}} (null for none; the caller owns it).
   */
  static LookupApi start(
      final RecommendationSource source,
      final EventCollector collector,
      final ReadYourWrites fresh,
      final PushSettings push,
      final HttpLimits limits,
      final HttpSecurity security,
      final ApiBinding binding,
      final PrometheusMeterRegistry registry,
      final ItemCatalog catalog,
      final FallbackLists fallback,
      final ExperimentBoard experiments) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(fallback, "fallback");
    Objects.requireNonNull(push, "push");
    Objects.requireNonNull(limits, "limits");
    limits.requireLongerThan(push.heartbeat());
    Objects.requireNonNull(security, "security");
    Objects.requireNonNull(binding, "binding");
    Objects.requireNonNull(registry, "registry");
    final long startNanos = System.nanoTime();
    RecommendationStreams streams = null;
    RecommendationStreams freshStreams = null;
    Javalin app = null;
    try {
      if (collector != null) {
        collector.bindTo(registry);
      }
      if (fresh != null) {
        fresh.bindTo(registry);
      }
      if (experiments != null) {
        experiments.bindTo(registry);
      }
      final ObjectMapper mapper = new ObjectMapper();
      final HttpGuard guard = new HttpGuard(security, new Refusals(registry, "lookup"), "lookup");
      final ClientSlots slots = new ClientSlots(limits.maxStreamsPerClient());
      streams = new RecommendationStreams(source, push, mapper, slots, guard);
      if (fresh != null) {
        freshStreams = new RecommendationStreams(fresh.source(), push, mapper, slots, guard);
      }
      final Routes routes =
          new Routes(
              source,
              collector,
              streams,
              fresh,
              freshStreams,
              limits,
              guard,
              catalog,
              fallback,
              experiments,
              mapper);
      app = createServer(mapper, guard, limits, binding.host(), binding.port(), routes::register);
      app.start();
      final HttpGuard metricsGuard =
          new HttpGuard(security, new Refusals(registry, "lookup-metrics"), "lookup metrics");
      final Javalin metrics =
          createServer(
                  mapper,
                  metricsGuard,
                  limits,
                  binding.metricsHost(),
                  binding.metricsPort(),
                  router ->
                      router.get(
                          PrometheusMetrics.PATH,
                          ctx -> PrometheusMetrics.scrape(registry, ctx),
                          Scope.METRICS_READ))
              .start();
      LOG.info(
          "Lookup API listening on {}:{}, its metrics on {}:{} (started in {} ms; event collector"
              + " {}; {})",
          binding.host(),
          app.port(),
          binding.metricsHost(),
          metrics.port(),
          (System.nanoTime() - startNanos) / 1_000_000,
          collector == null ? "off" : "on",
          security);
      return new LookupApi(
          app, metrics, source, collector, streams, fresh, freshStreams, limits.idleTimeout());
    } catch (RuntimeException e) {
      if (app != null) {
        app.stop();
      }
      if (streams != null) {
        streams.close();
      }
      if (freshStreams != null) {
        freshStreams.close();
      }
      if (fresh != null) {
        fresh.close();
      }
      if (collector != null) {
        collector.close();
      }
      source.close();
      throw e;
    }
  }

  /** The bound HTTP port (the real one when 0 was asked for). */
  public int port() {
    return app.port();
  }

  /** The bound port of {@code GET /metrics} (the real one when 0 was asked for). */
  public int metricsPort() {
    return metrics.port();
  }

  /** Whether {@code POST /v1/events} collects events here. */
  public boolean collectsEvents() {
    return collector != null;
  }

  /** Push streams open now. */
  public int openStreams() {
    return streams.openStreams();
  }

  /**
   * Ends the open push streams, answers the requests waiting for their lists (read-your-writes:
   * with what arrived, the rest pending; within the idle timeout), stops the HTTP server, then the
   * collector and the source. Safe to call more than once.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      streams.close();
      if (freshStreams != null) {
        freshStreams.close();
      }
      if (fresh != null) {
        fresh.finishWaiting(drainWithin);
      }
      app.stop();
      metrics.stop();
    } finally {
      try {
        if (collector != null) {
          collector.close();
        }
      } finally {
        try {
          source.close();
        } finally {
          if (fresh != null) {
            fresh.close();
          }
        }
      }
    }
    LOG.info("Lookup API stopped");
  }

  private static Javalin createServer(
      final ObjectMapper mapper,
      final HttpGuard guard,
      final HttpLimits limits,
      final String host,
      final int port,
      final Consumer<JavalinDefaultRoutingApi> routes) {
    return Javalin.create(
        config -> {
          config.startup.showJavalinBanner = false;
          config.jsonMapper(new JavalinJackson(mapper, false));
          config.http.maxRequestSize = limits.maxRequestBytes();
          config.jetty.threadPool =
              new QueuedThreadPool(
                  limits.maxThreads(),
                  Math.min(HttpLimits.MIN_THREADS, limits.maxThreads()),
                  (int) Duration.ofMinutes(1).toMillis());
          guard.install(
              config,
              new HttpGuard.Listener(
                  host,
                  port,
                  limits.idleTimeout(),
                  limits.maxHeaderBytes(),
                  limits.minRequestBytesPerSecond()));
          routes.accept(config.routes);
        });
  }

  /**
   * An error answer; {@code sessionId} is left out when null.
   *
   * @param error what went wrong, for people
   * @param code what went wrong, for programs (e.g. {@code SESSION_ID_TOO_LONG})
   * @param retryable whether the same request may succeed later
   * @param sessionId the session asked for, when there is one
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"error", "code", "retryable", "sessionId"})
  record ErrorBody(String error, String code, boolean retryable, String sessionId) {}

  /**
   * The answer to {@code DELETE /v1/sessions/{id}}.
   *
   * @param sessionId the session forgotten
   * @param forgetEventId the event id of the control record on the weblog topic
   */
  @JsonPropertyOrder({"sessionId", "forgetEventId"})
  record Forgotten(String sessionId, String forgetEventId) {}

  /** The answer to a refused {@code POST /v1/events}; {@code errors} is empty for a bad body. */
  @JsonPropertyOrder({"error", "code", "retryable", "errors"})
  record EventsErrorBody(String error, String code, boolean retryable, List<EventError> errors) {}

  /** The 4xx {@link HttpException} in {@code e}'s causes, or null. */
  private static HttpException clientError(final Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof HttpException http && http.getCode() >= 400 && http.getCode() < 500) {
        return http;
      }
    }
    return null;
  }

  /** The request handlers, kept apart from the server's lifecycle. */
  private static final class Routes {
    private final RecommendationSource source;
    private final EventCollector collector;
    private final RecommendationStreams streams;
    private final ReadYourWrites fresh;
    private final RecommendationStreams freshStreams;
    private final HttpLimits limits;
    private final HttpGuard guard;
    private final JsonShape shape;
    private final ItemCatalog catalog;
    private final FallbackLists fallback;
    private final ExperimentBoard experiments;
    private final ObjectMapper mapper;

    Routes(
        final RecommendationSource source,
        final EventCollector collector,
        final RecommendationStreams streams,
        final ReadYourWrites fresh,
        final RecommendationStreams freshStreams,
        final HttpLimits limits,
        final HttpGuard guard,
        final ItemCatalog catalog,
        final FallbackLists fallback,
        final ExperimentBoard experiments,
        final ObjectMapper mapper) {
      this.catalog = catalog;
      this.fallback = fallback;
      this.experiments = experiments;
      this.mapper = mapper;
      this.source = source;
      this.collector = collector;
      this.streams = streams;
      this.fresh = fresh;
      this.freshStreams = freshStreams;
      this.limits = limits;
      this.guard = guard;
      this.shape = new JsonShape(limits.maxJsonDepth(), limits.maxJsonArrayElements());
    }

    /** Each route with the scope it needs (see {@link HttpGuard}). */
    void register(final JavalinDefaultRoutingApi router) {
      router.get(RECOMMENDATIONS_PATH, this::recommendations, Scope.RECOMMENDATIONS_READ);
      router.get(STREAM_PATH, this::stream, Scope.RECOMMENDATIONS_READ);
      router.post(EVENTS_PATH, this::events, Scope.EVENTS_WRITE);
      router.delete(SESSION_PATH, this::forget, Scope.OPERATE);
      router.get(EXPERIMENTS_PATH, this::experiments, Scope.RECOMMENDATIONS_READ);
      router.get(EXPERIMENT_PATH, this::experiment, Scope.RECOMMENDATIONS_READ);
      router.get("/health", this::health, Scope.PUBLIC);
      router.get("/ready", this::ready, Scope.PUBLIC);
      router.exception(InvalidEventsException.class, this::invalidEvents);
      router.exception(NotAcknowledgedException.class, this::notAcknowledged);
      router.exception(EventsRefusedException.class, this::refusedByKafka);
      router.exception(HttpResponseException.class, this::httpError);
      router.exception(Exception.class, this::unexpected);
    }

    /** Answers 400 and returns false when the path's session id is too long. */
    private boolean acceptedSessionId(final Context ctx, final String sessionId) {
      final Optional<String> problem = limits.sessionIdProblem(sessionId);
      problem.ifPresent(
          reason -> {
            guard.count(Refusal.SESSION_ID_TOO_LONG);
            ctx.status(HttpStatus.BAD_REQUEST)
                .json(new ErrorBody(reason, "SESSION_ID_TOO_LONG", false, null));
          });
      return problem.isEmpty();
    }

    private void stream(final Context ctx) {
      if (acceptedSessionId(ctx, ctx.pathParam("sessionId"))) {
        (uncommitted(ctx) ? freshStreams : streams).handle(ctx);
      }
    }

    private void recommendations(final Context ctx) {
      final String sessionId = ctx.pathParam("sessionId");
      if (!acceptedSessionId(ctx, sessionId)) {
        return;
      }
      final boolean withItems = INCLUDE_ITEMS.equals(ctx.queryParam("include"));
      final String fallbackParam = ctx.queryParam("fallback");
      if (fallbackParam != null
          && !FALLBACK_NONE.equals(fallbackParam)
          && !FallbackLists.TRENDING.equals(fallbackParam)) {
        badRequest(
            ctx,
            "fallback must be 'trending' (the default) or 'none', got '" + fallbackParam + "'",
            "BAD_FALLBACK");
        return;
      }
      final ListFilter filter;
      try {
        filter =
            ListFilter.parse(
                ctx.queryParam("category"),
                ctx.queryParam("min_price"),
                ctx.queryParam("max_price"));
      } catch (ListFilter.InvalidFilterException e) {
        badRequest(ctx, e.getMessage(), "BAD_FILTER");
        return;
      }
      if ((withItems || filter.active()) && catalog == null) {
        badRequest(
            ctx,
            "this lookup API instance serves no catalogue (insession.api.catalog.enabled=false):"
                + " no ?include=items, ?category, ?min_price or ?max_price",
            "NO_CATALOG");
        return;
      }
      final Optional<byte[]> latest =
          (uncommitted(ctx) ? fresh.source() : source).latestJson(sessionId);
      if (latest.isPresent() && !filter.active()) {
        ctx.contentType(ContentType.APPLICATION_JSON)
            .result(withItems ? writeJson(withItems(read(latest.get()))) : latest.get());
        return;
      }
      final Optional<FallbackLists.Fallback> backup =
          FALLBACK_NONE.equals(fallbackParam)
              ? Optional.empty()
              : fallback.of(filter.trendingScope());
      final ObjectNode view;
      if (latest.isPresent()) {
        view = read(latest.get());
      } else if (backup.isPresent()) {
        view = fallbackView(sessionId, backup.get());
      } else {
        ctx.status(HttpStatus.NOT_FOUND)
            .json(
                new ErrorBody(
                    "no recommendations for session " + sessionId, "NOT_FOUND", false, sessionId));
        return;
      }
      if (filter.active()) {
        filtered(
            view,
            filter,
            latest.isPresent() ? view.path("items").size() : fallback.length(),
            backup);
      }
      ctx.contentType(ContentType.APPLICATION_JSON)
          .result(writeJson(withItems ? withItems(view) : view));
    }

    private static void badRequest(final Context ctx, final String message, final String code) {
      ctx.status(HttpStatus.BAD_REQUEST).json(new ErrorBody(message, code, false, null));
    }

    /**
     * The answer for a session without a list: the fallback's best items, marked {@code "fallback":
     * true} with their {@code "fallbackSource"}, the trending scope and its {@code "asOf"}.
     */
    private ObjectNode fallbackView(final String sessionId, final FallbackLists.Fallback backup) {
      final ObjectNode view = mapper.createObjectNode();
      view.putNull("recommendationId");
      view.put("sessionId", sessionId);
      final ArrayNode items = view.putArray("items");
      for (final Candidate candidate : backup.items()) {
        if (items.size() == fallback.length()) {
          break;
        }
        items.addObject().put("itemId", candidate.itemId()).put("score", candidate.score());
      }
      view.put("fallback", true);
      view.put("fallbackSource", backup.source());
      view.put("scope", backup.scope());
      view.put("asOf", backup.asOf() == null ? null : backup.asOf().toString());
      rank(items);
      return view;
    }

    /**
     * Keeps the items that pass {@code filter}, fills the list up to {@code length} from the
     * fallback's items that pass it too (marked {@code "backfill"} with their source), ranks them
     * anew and echoes the filters. One catalogue lookup per item looked at.
     */
    private void filtered(
        final ObjectNode view,
        final ListFilter filter,
        final int length,
        final Optional<FallbackLists.Fallback> backup) {
      final ArrayNode kept = mapper.createArrayNode();
      final Set<String> present = new HashSet<>();
      for (final JsonNode entry : view.path("items")) {
        final String itemId = entry.path("itemId").asText();
        if (kept.size() < length && filter.keeps(catalog.item(itemId)) && present.add(itemId)) {
          kept.add(entry);
        }
      }
      int backfilled = 0;
      if (backup.isPresent()) {
        for (final Candidate candidate : backup.get().items()) {
          if (kept.size() >= length) {
            break;
          }
          if (!present.contains(candidate.itemId())
              && filter.keeps(catalog.item(candidate.itemId()))
              && present.add(candidate.itemId())) {
            kept.addObject()
                .put("itemId", candidate.itemId())
                .put("score", candidate.score())
                .put("backfill", backup.get().source());
            backfilled++;
          }
        }
      }
      rank(kept);
      view.set("items", kept);
      view.set("filters", mapper.valueToTree(filter.describe()));
      view.put("backfilled", backfilled);
    }

    /** Numbers the items 1, 2, ... in their order. */
    private static void rank(final ArrayNode items) {
      int rank = 1;
      for (final JsonNode item : items) {
        ((ObjectNode) item).put("rank", rank++);
      }
    }

    private ObjectNode read(final byte[] json) {
      try {
        return (ObjectNode) mapper.readTree(json);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private byte[] writeJson(final ObjectNode view) {
      try {
        return mapper.writeValueAsBytes(view);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /**
     * The view with each item's catalogue record under {@code "item"} (null when the catalogue does
     * not list it): one lookup per item.
     */
    private ObjectNode withItems(final ObjectNode view) {
      for (final JsonNode entry : view.path("items")) {
        final CatalogItem item = catalog.item(entry.path("itemId").asText());
        ((ObjectNode) entry)
            .set("item", item == null ? NullNode.getInstance() : CatalogJson.toJson(item));
      }
      return view;
    }

    private void events(final Context ctx) {
      if (collector == null) {
        ctx.status(HttpStatus.NOT_FOUND)
            .json(
                new ErrorBody(
                    "this lookup API instance collects no events", "NO_COLLECTOR", false, null));
        return;
      }
      if (!isJson(ctx.contentType())) {
        guard.refuse(
            ctx,
            Refusal.UNSUPPORTED_MEDIA_TYPE,
            "events must be sent as Content-Type: application/json");
        return;
      }
      final String body = ctx.body();
      final Optional<JsonShape.Problem> problem = shape.check(body);
      if (problem.isPresent()) {
        guard.refuse(ctx, problem.get().reason(), problem.get().message());
        return;
      }
      if (ReadYourWrites.waits(ctx)) {
        // answers 202 asynchronously, holding no thread while it waits (or 503 at once)
        freshView().collect(collector, ctx);
        return;
      }
      ctx.status(HttpStatus.ACCEPTED).json(collector.collect(body));
    }

    /** Whether the request opts in to lists before their commit (docs/read-your-writes.md). */
    private boolean uncommitted(final Context ctx) {
      if (!ReadYourWrites.wanted(ctx)) {
        return false;
      }
      freshView();
      return true;
    }

    private ReadYourWrites freshView() {
      if (fresh == null) {
        throw new BadRequestResponse("this lookup API instance serves no read_uncommitted view");
      }
      return fresh;
    }

    /** Whether {@code contentType} is JSON: {@code application/json} or {@code ...+json}. */
    private static boolean isJson(final String contentType) {
      if (contentType == null) {
        return false;
      }
      final int semicolon = contentType.indexOf(';');
      final String media =
          (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
              .strip()
              .toLowerCase(Locale.ROOT);
      return media.equals("application/json")
          || media.startsWith("application/") && media.endsWith("+json");
    }

    /** Forgets a session: the control record first, then the cached list (see the class doc). */
    private void forget(final Context ctx) {
      final String sessionId = ctx.pathParam("sessionId");
      if (!acceptedSessionId(ctx, sessionId)) {
        return;
      }
      if (collector == null) {
        ctx.status(HttpStatus.NOT_FOUND)
            .json(
                new ErrorBody(
                    "this lookup API instance has no collector to write the forget request with",
                    "NO_COLLECTOR",
                    false,
                    sessionId));
        return;
      }
      final String eventId = collector.forget(sessionId);
      source.forget(sessionId);
      LOG.info("Session {} forgotten on request (control record {})", sessionId, eventId);
      ctx.status(HttpStatus.ACCEPTED).json(new Forgotten(sessionId, eventId));
    }

    private void invalidEvents(final InvalidEventsException e, final Context ctx) {
      ctx.status(HttpStatus.BAD_REQUEST)
          .json(new EventsErrorBody(e.getMessage(), "INVALID_EVENTS", false, e.errors()));
    }

    private void notAcknowledged(final NotAcknowledgedException e, final Context ctx) {
      LOG.warn("Events not acknowledged: {}", e.getMessage());
      ctx.status(HttpStatus.SERVICE_UNAVAILABLE)
          .json(new EventsErrorBody(e.getMessage(), "NOT_ACKNOWLEDGED", true, List.of()));
    }

    private void refusedByKafka(final EventsRefusedException e, final Context ctx) {
      LOG.info("Events refused by Kafka: {}", e.getMessage());
      ctx.status(HttpStatus.BAD_REQUEST)
          .json(new EventsErrorBody(e.getMessage(), "REFUSED_BY_KAFKA", false, List.of()));
    }

    /** The ids of the experiments with live KPIs. */
    private void experiments(final Context ctx) {
      if (experimentsServed(ctx)) {
        ctx.json(Map.of("experiments", List.copyOf(experiments.ids())));
      }
    }

    /** An experiment's live KPIs, since it started and per window (docs/experiments.md). */
    private void experiment(final Context ctx) {
      if (!experimentsServed(ctx)) {
        return;
      }
      final String id = ctx.pathParam("experimentId");
      final Optional<ExperimentKpis> sinceStart = experiments.sinceStart(id);
      final List<ExperimentKpis> windows = experiments.windows(id);
      if (sinceStart.isEmpty() && windows.isEmpty()) {
        ctx.status(HttpStatus.NOT_FOUND)
            .json(new ErrorBody("no KPIs for experiment " + id, "NOT_FOUND", false, null));
        return;
      }
      ctx.contentType(ContentType.APPLICATION_JSON)
          .result(ExperimentJson.of(mapper, id, sinceStart.orElse(null), windows).toString());
    }

    private boolean experimentsServed(final Context ctx) {
      if (experiments == null) {
        ctx.status(HttpStatus.NOT_FOUND)
            .json(
                new ErrorBody(
                    "this lookup API instance serves no experiments",
                    "NO_EXPERIMENTS",
                    false,
                    null));
      }
      return experiments != null;
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
      final HttpStatus status = HttpStatus.forStatus(e.getStatus());
      if (status == HttpStatus.CONTENT_TOO_LARGE) {
        guard.count(Refusal.CONTENT_TOO_LARGE);
      }
      ctx.status(status)
          .json(
              new ErrorBody(
                  e.getMessage(), status.name(), status == HttpStatus.SERVICE_UNAVAILABLE, null));
    }

    private void unexpected(final Exception e, final Context ctx) {
      final HttpException client = clientError(e);
      if (client != null) {
        // Jetty's refusal of the request itself (e.g. a body slower than the minimum data rate,
        // counted by HttpGuard where every answer passes)
        final HttpStatus status = HttpStatus.forStatus(client.getCode());
        ctx.status(status)
            .json(new ErrorBody(String.valueOf(client.getReason()), status.name(), false, null));
        return;
      }
      LOG.error("Unexpected error answering {} {}", ctx.method(), ctx.path(), e);
      ctx.status(HttpStatus.INTERNAL_SERVER_ERROR)
          .json(new ErrorBody("internal error", "INTERNAL_ERROR", false, null));
    }
  }
}
