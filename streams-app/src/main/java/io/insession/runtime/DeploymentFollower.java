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
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the deployments topic (docs/roll-outs.md): one small thread reads it from the beginning
 * with read_committed, keeps its records, and once it has caught up with the end hands the latest
 * deployment that no instance refused to {@link ModelSwap} — each deployment at most once per
 * process (a refused one is not retried; a rollback is a new deployment). Until the first
 * deployment, the instance serves {@code insession.variants}. {@link #close()} wakes the consumer
 * up and waits for the thread.
 */
public final class DeploymentFollower implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DeploymentFollower.class);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);
  private static final long JOIN_MILLIS = 60_000L;

  private final DeploymentLog log;
  private final Predicate<ModelDeployment> apply;
  private final KafkaConsumer<String, ModelDeployment> consumer;
  private final Thread thread;
  private final List<ModelDeployment> records = new ArrayList<>();
  private final Set<String> attempted = new HashSet<>();
  private volatile boolean closing;
  private volatile String served;

  private DeploymentFollower(final DeploymentLog log, final Predicate<ModelDeployment> apply) {
    this.log = log;
    this.apply = apply;
    this.consumer = log.newConsumer();
    this.thread = new Thread(this::run, "insession-deployment-follower");
    this.thread.setDaemon(true);
  }

  /**
   * Starts following {@code log}'s topic (which must exist), applying each new deployment with
   * {@code apply} (which returns whether the deployment is served now).
   */
  public static DeploymentFollower start(
      final DeploymentLog log, final Predicate<ModelDeployment> apply) {
    final DeploymentFollower follower =
        new DeploymentFollower(Objects.requireNonNull(log, "log"), apply);
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
    if (latest.isEmpty() || !attempted.add(latest.get().getDeploymentId())) {
      return;
    }
    if (apply.test(latest.get())) {
      served = latest.get().getDeploymentId();
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
