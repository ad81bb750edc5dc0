package io.insession.runtime;

import io.insession.api.LookupApi;
import io.insession.catalog.CatalogFollower;
import io.insession.config.InSessionConfig;
import io.insession.deployment.DeploymentLog;
import io.insession.experiments.ExperimentFollower;
import io.insession.kafka.EmbeddedKafkaBroker;
import io.insession.kafka.TopicSetup;
import io.insession.metrics.PrometheusMetrics;
import io.insession.metrics.TopologyMetrics;
import io.insession.scoring.CurrentVariants;
import io.insession.scoring.OnnxRuntime;
import io.insession.scoring.ScorerVariants;
import io.insession.trending.TrendingFollower;
import io.insession.trending.TrendingLists;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that assembles an InSession service and owns its lifecycle: an optional embedded
 * broker, the topics, the scorer variants and their warm-up, the Kafka Streams runner, the
 * deployment follower (hot swap), the operations server (metrics, health, readiness) and the lookup
 * API. {@code run}, {@code lookup}, {@code demo} and {@code evaluate --online} only choose the
 * parts, parse options and print.
 *
 * <p>{@link Builder#start()} starts the chosen parts in order (broker, topics, scorer, streams
 * runner, operations server, lookup API, processing, then the deployment follower); {@link
 * #close()} stops them in reverse, once (later calls do nothing), and never ends the process: a
 * failed stream is reported through {@link Builder#onFailure} and {@link #hasFailed()}. A part that
 * fails to start closes the parts already started.
 */
public final class RecommenderService implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RecommenderService.class);

  private final InSessionConfig config;
  private final Deque<AutoCloseable> started;
  private final StreamsRunner streams;
  private final CurrentVariants variants;
  private final DeploymentFollower follower;
  private final StreamsOperations operations;
  private final LookupApi lookupApi;
  private final AtomicBoolean closed = new AtomicBoolean();

  private RecommenderService(final Assembly assembly) {
    this.config = assembly.config;
    this.started = assembly.started;
    this.streams = assembly.streams;
    this.variants = assembly.variants;
    this.follower = assembly.follower;
    this.operations = assembly.operations;
    this.lookupApi = assembly.lookupApi;
  }

  /** A builder of a service with {@code config}; nothing is started until {@link #start()}. */
  public static Builder builder(final InSessionConfig config) {
    return new Builder(config);
  }

  /** The effective settings (with the embedded broker's address when the service started one). */
  public InSessionConfig config() {
    return config;
  }

  /** The streams runner. */
  public StreamsRunner streams() {
    return require(streams, "stream");
  }

  /** The scorer variants the stream serves now (a deployment may replace them). */
  public ScorerVariants variants() {
    return require(variants, "stream").get();
  }

  /** The deployment follower. */
  public DeploymentFollower deployments() {
    return require(follower, "deployment follower");
  }

  /** Port of the metrics, health and readiness server. */
  public int metricsPort() {
    return require(operations, "metrics").port();
  }

  /** Port of the lookup API. */
  public int lookupApiPort() {
    return require(lookupApi, "lookup API").port();
  }

  /** Port of the lookup API's {@code /metrics}. */
  public int lookupApiMetricsPort() {
    return require(lookupApi, "lookup API").metricsPort();
  }

  /** Whether the stream has failed (false when no stream runs). */
  public boolean hasFailed() {
    return streams != null && streams.hasFailed();
  }

  /** Stops every part in reverse start order; only the first call does anything. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closeAll(started);
  }

  private static <T> T require(final T part, final String name) {
    if (part == null) {
      throw new IllegalStateException("this service was built without the " + name);
    }
    return part;
  }

  private static void closeAll(final Deque<AutoCloseable> parts) {
    RuntimeException failure = null;
    while (!parts.isEmpty()) {
      final AutoCloseable part = parts.pop();
      try {
        part.close();
      } catch (Exception e) {
        LOG.warn("Closing {} failed: {}", part.getClass().getSimpleName(), e.toString(), e);
        if (failure == null) {
          failure = new IllegalStateException("could not close " + part, e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Which parts to start, and with what. */
  public static final class Builder {
    private static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(60);

    private final InSessionConfig config;
    private EmbeddedKafkaBroker.Ports brokerPorts;
    private int brokerPartitions = 1;
    private boolean stream;
    private boolean metrics;
    private boolean lookupApi;
    private boolean deployments;
    private ScorerVariants givenVariants;
    private Runnable onFailure = () -> {};

    private Builder(final InSessionConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Starts a KRaft broker in this process first, on {@code ports}, and points every part at it
     * (its address replaces {@code bootstrap.servers}); the service closes it last.
     */
    public Builder embeddedBroker(final EmbeddedKafkaBroker.Ports ports, final int partitions) {
      this.brokerPorts = Objects.requireNonNull(ports, "ports");
      if (partitions < 1) {
        throw new IllegalArgumentException("partitions must be >= 1: " + partitions);
      }
      this.brokerPartitions = partitions;
      return this;
    }

    /** Runs the recommender topology (the topics are created first when missing). */
    public Builder stream() {
      this.stream = true;
      return this;
    }

    /**
     * Serves the stream's {@code /metrics}, {@code /health} and {@code /ready} on {@code
     * insession.metrics.port} and records the topology's meters (needs {@link #stream()}).
     */
    public Builder metrics() {
      this.metrics = true;
      return this;
    }

    /**
     * Follows the deployments topic ({@code insession.topic.deployments}) and swaps the served
     * variants for each new deployment without a restart (needs {@link #stream()};
     * docs/roll-outs.md). Until the first deployment the stream serves {@code insession.variants}.
     */
    public Builder deployments() {
      this.deployments = true;
      return this;
    }

    /** Serves the lookup API (latest lists, push stream, event collector) on {@code api.port}. */
    public Builder lookupApi() {
      this.lookupApi = true;
      return this;
    }

    /**
     * Serves these variants instead of opening the configured ones ({@code insession.variants});
     * the caller keeps them and closes them after the service.
     */
    public Builder variants(final ScorerVariants variants) {
      this.givenVariants = Objects.requireNonNull(variants, "variants");
      return this;
    }

    /** Called (on a stream thread) when the stream fails, e.g. to end the process. */
    public Builder onFailure(final Runnable action) {
      this.onFailure = Objects.requireNonNull(action, "action");
      return this;
    }

    /** Starts the chosen parts in order; on a failure closes those started and rethrows. */
    public RecommenderService start() {
      if (metrics && !stream) {
        throw new IllegalStateException("metrics need the stream");
      }
      if (givenVariants != null && !stream) {
        throw new IllegalStateException("variants need the stream");
      }
      if (deployments && !stream) {
        throw new IllegalStateException("deployments need the stream");
      }
      final Assembly assembly = new Assembly();
      try {
        assemble(assembly);
        return new RecommenderService(assembly);
      } catch (RuntimeException e) {
        try {
          closeAll(assembly.started);
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
    }

    private void assemble(final Assembly assembly) {
      assembly.config = config;
      if (brokerPorts != null) {
        final EmbeddedKafkaBroker broker =
            EmbeddedKafkaBroker.builder()
                .ports(brokerPorts)
                .numPartitions(brokerPartitions)
                .start();
        assembly.started.push(broker);
        final Map<String, String> settings = new HashMap<>(config.settings());
        settings.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        assembly.config = InSessionConfig.of(settings);
      }
      final InSessionConfig effective = assembly.config;
      if (stream) {
        TopicSetup.ensureTopics(effective, InSessionTopics.specs(effective), TOPIC_TIMEOUT);
        assembly.runtime = Scoring.runtime(effective);
        if (givenVariants != null) {
          // the caller keeps these; sets a deployment installs are the service's
          assembly.variants = new CurrentVariants(givenVariants);
        } else {
          assembly.variants =
              CurrentVariants.owning(Scoring.openVariants(effective, assembly.runtime));
        }
        // closed after the stream: closes the set served last (the ones replaced before, once
        // drained)
        assembly.started.push(assembly.variants);
        final PrometheusMeterRegistry registry = PrometheusMetrics.newRegistry();
        assembly.streams =
            RecommenderStreams.create(
                effective,
                assembly.variants,
                metrics ? StreamsOperations.topologyMetrics(registry) : TopologyMetrics.NONE);
        assembly.started.push(assembly.streams);
        assembly.streams.onFailure(onFailure);
        if (metrics) {
          assembly.operations =
              StreamsOperations.start(
                  effective, registry, assembly.streams, assembly.variants.get().models());
          assembly.started.push(assembly.operations);
        }
      }
      if (lookupApi) {
        CatalogFollower catalog = null;
        if (effective.getBoolean(InSessionConfig.API_CATALOG_ENABLED)) {
          catalog = CatalogFollower.start(effective);
          // closed after the API (the stack closes in reverse)
          assembly.started.push(catalog);
        }
        TrendingLists trending = TrendingLists.NONE;
        if (effective.getBoolean(InSessionConfig.TRENDING_ENABLED)) {
          final TrendingFollower follower = TrendingFollower.start(effective);
          assembly.started.push(follower);
          trending = follower;
        }
        // the experiments' live KPIs (docs/experiments.md), closed after the API
        final ExperimentFollower experiments = ExperimentFollower.start(effective);
        assembly.started.push(experiments);
        assembly.lookupApi =
            LookupApi.start(
                LookupSettings.from(effective),
                PrometheusMetrics.newRegistry(),
                catalog,
                LookupSettings.fallback(effective, trending),
                experiments.board());
        assembly.started.push(assembly.lookupApi);
      }
      if (assembly.streams != null) {
        assembly.streams.start();
      }
      if (deployments) {
        final StreamsOperations operations = assembly.operations;
        final ModelSwap swap =
            new ModelSwap(
                effective,
                assembly.runtime,
                assembly.variants,
                served -> {
                  if (operations != null) {
                    operations.serving(served.models());
                  }
                });
        assembly.follower = DeploymentFollower.start(new DeploymentLog(effective), swap);
        assembly.started.push(assembly.follower);
      }
    }
  }

  /** The parts started so far, the last first. */
  private static final class Assembly {
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private InSessionConfig config;
    private CurrentVariants variants;
    private DeploymentFollower follower;
    private OnnxRuntime runtime;
    private StreamsRunner streams;
    private StreamsOperations operations;
    private LookupApi lookupApi;
  }
}
