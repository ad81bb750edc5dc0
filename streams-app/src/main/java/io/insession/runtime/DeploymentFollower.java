package io.insession.runtime;

import io.insession.deployment.DeploymentLog;
import io.insession.deployment.Deployments;
import io.insession.schemas.ModelDeployment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the deployments topic (docs/roll-outs.md): one small thread reads it from the beginning
 * with read_committed, keeps its records, and once it has caught up with the end makes the instance
 * serve the current deployment, the latest that no instance refused ({@link Deployments#current}),
 * with {@link ModelSwap}. So all instances converge on one set: when another instance refuses the
 * deployment this one serves, this one goes back to the deployment before it, or to {@code
 * insession.variants} when none is left (what it serves until the first deployment). A deployment
 * this instance refused is not tried again; a rollback or a new deployment is. {@link #close()}
 * wakes the consumer up and waits for the thread.
 */
public final class DeploymentFollower implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DeploymentFollower.class);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);
  private static final long JOIN_MILLIS = 60_000L;

  private final DeploymentLog log;
  private final ModelSwap swap;
  private final KafkaConsumer<String, ModelDeployment> consumer;
  private final Thread thread;
  private final List<ModelDeployment> records = new ArrayList<>();
  private final Set<String> refusedHere = new HashSet<>();
  private Optional<String> lastAttempt = Optional.empty();
  private volatile boolean closing;
  private volatile String served;

  private DeploymentFollower(final DeploymentLog log, final ModelSwap swap) {
    this.log = log;
    this.swap = swap;
    this.consumer = log.newConsumer();
    this.thread = new Thread(this::run, "insession-deployment-follower");
    this.thread.setDaemon(true);
  }

  /**
   * Starts following {@code log}'s topic (which must exist), serving its deployments by {@code
   * swap}.
   */
  public static DeploymentFollower start(final DeploymentLog log, final ModelSwap swap) {
    final DeploymentFollower follower =
        new DeploymentFollower(
            Objects.requireNonNull(log, "log"), Objects.requireNonNull(swap, "swap"));
    follower.thread.start();
    return follower;
  }

  /** The id of the deployment served now, if one was applied. */
  public Optional<String> served() {
    return Optional.ofNullable(served);
  }

  private void run() {
    try {
      final List<TopicPartition> partitions = log.partitions(consumer, METADATA_TIMEOUT);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      final Map<TopicPartition, Long> end = consumer.endOffsets(partitions, METADATA_TIMEOUT);
      boolean caughtUp = false;
      while (!closing) {
        for (final ConsumerRecord<String, ModelDeployment> record : consumer.poll(POLL)) {
          if (record.value() != null) {
            records.add(record.value());
          }
        }
        caughtUp = caughtUp || DeploymentLog.reached(consumer, end);
        if (caughtUp) {
          applyLatest();
        }
      }
    } catch (WakeupException e) {
      if (!closing) {
        LOG.error("Deployment follower woken up unexpectedly; deployments are no longer followed");
      }
    } catch (RuntimeException e) {
      LOG.error(
          "Deployment follower failed; deployments on {} are no longer followed, the current"
              + " models keep serving",
          log.topicName(),
          e);
    } finally {
      consumer.close();
    }
  }

  private void applyLatest() {
    final Optional<ModelDeployment> latest = Deployments.current(records);
    final Optional<String> wanted = latest.map(ModelDeployment::getDeploymentId);
    if (wanted.equals(Optional.ofNullable(served))
        || wanted.equals(lastAttempt)
        || wanted.filter(refusedHere::contains).isPresent()) {
      return;
    }
    lastAttempt = wanted;
    if (latest.isEmpty()) {
      LOG.warn(
          "Deployment {} was refused by another instance and no good deployment is left: serving"
              + " the configured variants again, as every instance does",
          served);
      if (swap.serveConfigured()) {
        served = null;
      }
    } else if (swap.apply(latest.get())) {
      served = wanted.get();
    } else {
      refusedHere.add(wanted.get());
    }
  }

  @Override
  public void close() {
    closing = true;
    consumer.wakeup();
    try {
      thread.join(JOIN_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
