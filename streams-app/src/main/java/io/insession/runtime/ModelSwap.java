package io.insession.runtime;

import io.insession.config.InSessionConfig;
import io.insession.deployment.DeploymentLog;
import io.insession.deployment.Deployments;
import io.insession.registry.FileSystemModelRegistry;
import io.insession.registry.ModelRef;
import io.insession.registry.ModelRegistry;
import io.insession.schemas.ModelDeployment;
import io.insession.scoring.CurrentVariants;
import io.insession.scoring.OnnxRuntime;
import io.insession.scoring.ScorerVariants;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies one deployment to this instance (docs/roll-outs.md): opens and verifies its bundles
 * (registry references are resolved, and so re-verified, by the model registry), warms them up,
 * then replaces the served set atomically ({@link CurrentVariants#replace}); the replaced set is
 * closed once no batch uses it. A deployment that cannot be opened, verified or warmed is refused:
 * a clear log line, a refusal record on the deployments topic, and the current set keeps serving.
 */
public final class ModelSwap {

  private static final Logger LOG = LoggerFactory.getLogger(ModelSwap.class);
  private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);

  private final InSessionConfig config;
  private final OnnxRuntime runtime;
  private final CurrentVariants current;
  private final DeploymentLog log;
  private ModelRegistry registry;
  private final String instance;
  private final Clock clock;
  private final Consumer<ScorerVariants> onServed;
  private final Consumer<ScorerVariants> beforeSwitch;

  /**
   * @param config the settings (registry, configured bundle, batch size, topics)
   * @param runtime the process's ONNX Runtime
   * @param current the set to replace
   */
  public ModelSwap(
      final InSessionConfig config, final OnnxRuntime runtime, final CurrentVariants current) {
    this(config, runtime, current, served -> {});
  }

  /**
   * As {@link #ModelSwap(InSessionConfig, OnnxRuntime, CurrentVariants)}, telling {@code onServed}
   * each set it installs, right after the switch (the operations server re-registers {@code
   * insession_model_info} and its {@code /ready} models from it).
   */
  public ModelSwap(
      final InSessionConfig config,
      final OnnxRuntime runtime,
      final CurrentVariants current,
      final Consumer<ScorerVariants> onServed) {
    this(config, runtime, current, onServed, loaded -> {});
  }

  /**
   * As above, calling {@code beforeSwitch} with each set opened, verified and warmed, just before
   * the switch (tests stop the instance there: a crash between load and switch).
   */
  ModelSwap(
      final InSessionConfig config,
      final OnnxRuntime runtime,
      final CurrentVariants current,
      final Consumer<ScorerVariants> onServed,
      final Consumer<ScorerVariants> beforeSwitch) {
    this.onServed = Objects.requireNonNull(onServed, "onServed");
    this.beforeSwitch = Objects.requireNonNull(beforeSwitch, "beforeSwitch");
    this.config = Objects.requireNonNull(config, "config");
    this.runtime = Objects.requireNonNull(runtime, "runtime");
    this.current = Objects.requireNonNull(current, "current");
    this.log = new DeploymentLog(config);
    this.instance = instanceName(config);
    this.clock = Clock.systemUTC();
  }

  /**
   * This instance's name in refusal records: {@code application.id@host/pid}, so that two instances
   * on one host keep a refusal record each.
   */
  static String instanceName(final InSessionConfig config) {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "unknown-host";
    }
    return config.getString(InSessionConfig.APPLICATION_ID)
        + "@"
        + host
        + "/"
        + ProcessHandle.current().pid();
  }

  /**
   * Opens, verifies and warms {@code deployment}'s variants, then serves them; refuses it (log
   * line, refusal record) when any step fails.
   *
   * @return whether the deployment is served now
   */
  public boolean apply(final ModelDeployment deployment) {
    final String id = deployment.getDeploymentId();
    final long start = System.nanoTime();
    LOG.info("Deployment {}: opening {}", id, Deployments.describe(deployment));
    final ScorerVariants next;
    try {
      next =
          Scoring.openDeployment(
              config,
              runtime,
              Deployments.specs(deployment.getVariants()),
              deployment.getSalt(),
              this::locate);
    } catch (RuntimeException e) {
      refuse(deployment, e.getMessage() == null ? e.toString() : e.getMessage());
      return false;
    }
    final Optional<String> failure = install(next, "Deployment " + id, start);
    if (failure.isPresent()) {
      refuse(deployment, failure.get());
      return false;
    }
    return true;
  }

  /**
   * Serves the configured variants ({@code insession.variants}) again: what the instance served
   * before any deployment. The follower calls it when the deployment it serves was refused by
   * another instance and no good deployment is left, so that every instance serves the same set.
   *
   * @return whether they are served now
   */
  public boolean serveConfigured() {
    final long start = System.nanoTime();
    LOG.info("No good deployment is left: opening the configured variants again");
    final ScorerVariants next;
    try {
      next = Scoring.openVariants(config, runtime);
    } catch (RuntimeException e) {
      LOG.error("Could not open the configured variants again, still serving {}", current.get(), e);
      return false;
    }
    final Optional<String> failure = install(next, "Configured variants", start);
    failure.ifPresent(
        reason ->
            LOG.error(
                "Configured variants not served again, still serving {}: {}",
                current.get(),
                reason));
    return failure.isEmpty();
  }

  /**
   * Warms {@code next} up and replaces the served set with it.
   *
   * @return why it was not installed (a warm-up failure), empty when it serves now
   */
  private Optional<String> install(final ScorerVariants next, final String what, final long start) {
    final ScorerWarmup warmup =
        ScorerWarmup.start(next, config.getInt(InSessionConfig.SCORING_BATCH_MAX_SIZE));
    warmup.close();
    final Optional<String> pending = warmup.pending();
    if (pending.isPresent()) {
      next.close();
      return pending;
    }
    try {
      beforeSwitch.accept(next);
    } catch (RuntimeException e) {
      next.close();
      throw e;
    }
    final ScorerVariants replaced = current.replace(next);
    onServed.accept(next);
    LOG.info(
        "{}: serving {} (opened, verified and warmed in {} ms); replaced {}",
        what,
        next,
        (System.nanoTime() - start) / 1_000_000,
        replaced);
    return Optional.empty();
  }

  private Path locate(final String source) {
    final Optional<ModelRef> ref = Deployments.registryRef(source);
    if (ref.isEmpty()) {
      return Path.of(source);
    }
    if (config.registryDir().isEmpty()) {
      throw new ConfigException(
          InSessionConfig.REGISTRY_DIR,
          "",
          "the registry reference " + source + " needs the model registry; set it");
    }
    if (registry == null) {
      // opened on the first deployment that needs it (only the follower thread calls this)
      registry = FileSystemModelRegistry.open(config);
    }
    return registry.resolve(ref.get());
  }

  private void refuse(final ModelDeployment deployment, final String reason) {
    LOG.error(
        "Deployment {} REFUSED, still serving {}: {}",
        deployment.getDeploymentId(),
        current.get(),
        reason);
    try {
      log.append(Deployments.refusal(deployment, instance, clock.instant(), reason), WRITE_TIMEOUT);
    } catch (RuntimeException e) {
      LOG.error(
          "Could not record the refusal of deployment {} on {}: {}",
          deployment.getDeploymentId(),
          log.topicName(),
          e.toString());
    }
  }
}
