package io.insession.runtime;

import io.insession.config.InSessionConfig;
import io.insession.http.HttpGuard;
import io.insession.http.HttpSecurity;
import io.insession.http.Refusals;
import io.insession.http.Scope;
import io.insession.metrics.LagMonitor;
import io.insession.metrics.MicrometerTopologyMetrics;
import io.insession.metrics.ModelInfoMeter;
import io.insession.metrics.PrometheusMetrics;
import io.insession.metrics.TopologyMetrics;
import io.insession.scoring.ModelInfo;
import io.insession.scoring.ScorerVariants;
import io.insession.topology.DeadLetterReason;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.router.JavalinDefaultRoutingApi;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The operations side of one streams instance: Kafka Streams' own metrics (Micrometer's binder),
 * {@code insession_model_info}, the {@link LagMonitor}, and an HTTP server on {@code
 * insession.metrics.port}:
 *
 * <ul>
 *   <li>{@code GET /metrics}: every meter in the Prometheus text format;
 *   <li>{@code GET /health}: liveness, 200 unless the Streams client failed (ERROR, PENDING_ERROR,
 *       NOT_RUNNING or a fatal stream-thread error), 503 then;
 *   <li>{@code GET /ready}: 200 only while Streams is RUNNING, the lag monitor reaches the brokers
 *       (its calls have not all failed for longer than {@code
 *       insession.metrics.ready.broker.grace.ms}) and no partition's lag stands still (above 0 with
 *       the committed offset unmoved for {@code insession.metrics.ready.lag.stall.ms}); else 503
 *       with the {@code reason}. The JSON body tells the Streams state, the first variant's model,
 *       every variant's model ({@code variants}; after a hot swap the new set's, see {@link
 *       #serving}) and the total lag either way. The model is loaded and warmed before this starts
 *       (it takes the loaded model's name and version). {@code /health} does not look at the
 *       brokers: an outage of the brokers makes the pods unready, it must not restart them.
 * </ul>
 *
 * It starts nothing of the topology and closes only what it started.
 */
public final class StreamsOperations implements AutoCloseable {

  private static final Set<KafkaStreams.State> DEAD =
      Set.of(
          KafkaStreams.State.ERROR,
          KafkaStreams.State.PENDING_ERROR,
          KafkaStreams.State.NOT_RUNNING);

  private final Javalin server;
  private final LagMonitor lag;
  private final KafkaStreamsMetrics streamsMetrics;
  private final ModelInfoMeter modelInfo;
  private final Routes routes;
  private final AtomicBoolean closed = new AtomicBoolean();

  private StreamsOperations(
      final Javalin server,
      final LagMonitor lag,
      final KafkaStreamsMetrics streamsMetrics,
      final ModelInfoMeter modelInfo,
      final Routes routes) {
    this.server = server;
    this.lag = lag;
    this.streamsMetrics = streamsMetrics;
    this.modelInfo = modelInfo;
    this.routes = routes;
  }

  /** The topology's meters in {@code registry}, every dead-letter reason starting at 0. */
  public static TopologyMetrics topologyMetrics(final PrometheusMeterRegistry registry) {
    return new MicrometerTopologyMetrics(
        registry, Arrays.stream(DeadLetterReason.values()).map(Enum::name).toList());
  }

  /**
   * Binds the metrics, starts the lag monitor and the HTTP server.
   *
   * @param config port, lag interval, application id, input topic, Kafka client settings
   * @param registry the registry the topology records into (see {@link #topologyMetrics})
   * @param streams the Streams client (started or not)
   * @param model the loaded model (one variant, {@value ScorerVariants#DEFAULT})
   */
  public static StreamsOperations start(
      final InSessionConfig config,
      final PrometheusMeterRegistry registry,
      final StreamsRunner streams,
      final ModelInfo model) {
    return start(config, registry, streams, model, Clock.systemUTC());
  }

  /**
   * As {@link #start(InSessionConfig, PrometheusMeterRegistry, StreamsRunner, ModelInfo)}, for
   * several variants: {@code models} maps each variant's name to its loaded model, in variant
   * order.
   */
  public static StreamsOperations start(
      final InSessionConfig config,
      final PrometheusMeterRegistry registry,
      final StreamsRunner streams,
      final Map<String, ModelInfo> models) {
    return start(config, registry, streams, models, Clock.systemUTC());
  }

  /**
   * As {@link #start(InSessionConfig, PrometheusMeterRegistry, StreamsRunner, ModelInfo)}, with the
   * clock the input-idle gauges count time by (tests move it by hand).
   */
  public static StreamsOperations start(
      final InSessionConfig config,
      final PrometheusMeterRegistry registry,
      final StreamsRunner streams,
      final ModelInfo model,
      final Clock clock) {
    Objects.requireNonNull(model, "model");
    return start(config, registry, streams, Map.of(ScorerVariants.DEFAULT, model), clock);
  }

  /**
   * As {@link #start(InSessionConfig, PrometheusMeterRegistry, StreamsRunner, Map)}, with a clock.
   */
  public static StreamsOperations start(
      final InSessionConfig config,
      final PrometheusMeterRegistry registry,
      final StreamsRunner streams,
      final Map<String, ModelInfo> models,
      final Clock clock) {
    if (models.isEmpty()) {
      throw new IllegalArgumentException(
          "the operations server needs at least one variant's model");
    }
    final ModelInfoMeter modelInfo = ModelInfoMeter.register(registry, models);
    final KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams.streams());
    streamsMetrics.bindTo(registry);
    LagMonitor lag = null;
    try {
      lag =
          LagMonitor.start(
              config.clientProperties(),
              config.applicationId(),
              config.getString(InSessionConfig.WEBLOG_TOPIC),
              Duration.ofMillis(config.getLong(InSessionConfig.METRICS_LAG_INTERVAL_MS)),
              registry,
              clock);
      final Routes routes =
          new Routes(
              registry,
              streams,
              models,
              lag,
              Duration.ofMillis(config.getLong(InSessionConfig.METRICS_READY_BROKER_GRACE_MS)),
              Duration.ofMillis(config.getLong(InSessionConfig.METRICS_READY_LAG_STALL_MS)));
      final HttpGuard guard =
          new HttpGuard(
              HttpSecurity.from(config), new Refusals(registry, "operations"), "operations");
      final HttpGuard.Listener listener =
          new HttpGuard.Listener(
              config.getString(InSessionConfig.METRICS_BIND_ADDRESS),
              config.getInt(InSessionConfig.METRICS_PORT),
              Duration.ofMillis(config.getLong(InSessionConfig.API_IDLE_TIMEOUT_MS)),
              config.getInt(InSessionConfig.API_MAX_HEADER_BYTES),
              config.getLong(InSessionConfig.API_MIN_REQUEST_BYTES_PER_S));
      final Javalin server =
          Javalin.create(
                  javalin -> {
                    javalin.startup.showJavalinBanner = false;
                    guard.install(javalin, listener);
                    routes.register(javalin.routes);
                  })
              .start();
      return new StreamsOperations(server, lag, streamsMetrics, modelInfo, routes);
    } catch (RuntimeException e) {
      if (lag != null) {
        lag.close();
      }
      streamsMetrics.close();
      throw e;
    }
  }

  /**
   * After a hot swap: {@code insession_model_info} and the {@code /ready} body name {@code models}
   * (variant name to model, in variant order) from now on; the series of the models served before
   * are removed.
   */
  public void serving(final Map<String, ModelInfo> models) {
    if (models.isEmpty()) {
      throw new IllegalArgumentException("an instance serves at least one variant's model");
    }
    routes.serving(models);
    modelInfo.serve(models);
  }

  /** The bound HTTP port (the real one when 0 was asked for). */
  public int port() {
    return server.port();
  }

  /** Stops the server, the lag monitor and the Streams metrics binder. Safe to call twice. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      server.stop();
    } finally {
      try {
        lag.close();
      } finally {
        streamsMetrics.close();
      }
    }
  }

  /** The request handlers. */
  private static final class Routes {
    // readiness: the model warm, Streams RUNNING, the brokers reachable, the lag moving
    private final PrometheusMeterRegistry registry;
    private final StreamsRunner streams;
    // replaced as a whole after a hot swap (volatile: read by the HTTP threads)
    private volatile Map<String, ModelInfo> models;
    private final LagMonitor lag;
    private final Duration brokerGrace;
    private final Duration lagStall;

    Routes(
        final PrometheusMeterRegistry registry,
        final StreamsRunner streams,
        final Map<String, ModelInfo> models,
        final LagMonitor lag,
        final Duration brokerGrace,
        final Duration lagStall) {
      this.registry = registry;
      this.streams = streams;
      this.models = Collections.unmodifiableMap(new LinkedHashMap<>(models));
      this.lag = lag;
      this.brokerGrace = brokerGrace;
      this.lagStall = lagStall;
    }

    void serving(final Map<String, ModelInfo> next) {
      this.models = Collections.unmodifiableMap(new LinkedHashMap<>(next));
    }

    void register(final JavalinDefaultRoutingApi router) {
      router.get(
          PrometheusMetrics.PATH,
          ctx -> PrometheusMetrics.scrape(registry, ctx),
          Scope.METRICS_READ);
      router.get("/health", this::health, Scope.PUBLIC);
      router.get("/ready", this::ready, Scope.PUBLIC);
    }

    private void health(final Context ctx) {
      final KafkaStreams.State state = streams.state();
      final boolean alive = !streams.hasFailed() && !DEAD.contains(state);
      ctx.status(alive ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
          .json(Map.of("status", alive ? "UP" : "DOWN", "streamsState", state.name()));
    }

    private void ready(final Context ctx) {
      final KafkaStreams.State state = streams.state();
      Optional<String> problem = streams.warmupPending();
      if (problem.isEmpty()) {
        problem =
            state == KafkaStreams.State.RUNNING
                ? lag.problem(brokerGrace, lagStall)
                : Optional.of("Kafka Streams is " + state.name() + ", not RUNNING");
      }
      final boolean ready = problem.isEmpty();
      final OptionalLong totalLag = lag.totalLag();
      final Map<String, Object> body = new LinkedHashMap<>();
      body.put("status", ready ? "READY" : "NOT_READY");
      problem.ifPresent(reason -> body.put("reason", reason));
      body.put("streamsState", state.name());
      final Map<String, ModelInfo> served = models;
      final ModelInfo model = served.values().iterator().next();
      body.put("model", Map.of("name", model.name(), "version", model.version()));
      final List<Map<String, String>> variants = new ArrayList<>();
      for (final Map.Entry<String, ModelInfo> variant : served.entrySet()) {
        variants.add(
            Map.of(
                "variant", variant.getKey(),
                "name", variant.getValue().name(),
                "version", variant.getValue().version()));
      }
      body.put("variants", variants);
      body.put("lag", totalLag.isPresent() ? totalLag.getAsLong() : null);
      ctx.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json(body);
    }
  }
}
