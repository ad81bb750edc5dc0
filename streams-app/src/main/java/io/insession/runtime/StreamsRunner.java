package io.insession.runtime;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.CloseOptions.GroupMembershipOperation;
import org.apache.kafka.streams.KafkaClientSupplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns one {@link KafkaStreams} instance: start, state, and shutdown. It builds nothing itself: the
 * topology and properties come from outside. Its stream threads' consumers tell the micro-batches
 * when the thread is free ({@link FreeThreadClientSupplier}).
 *
 * <p>An exception that escapes the topology stops this client loudly (one ERROR line with the
 * cause) instead of retrying forever on the same record; the process supervisor restarts it, and
 * exactly-once processing means nothing is lost or duplicated.
 *
 * <p>On {@link #close()} the client either leaves its group, so that its tasks move to the other
 * instances (their standbys) at once, or stays in it, Kafka Streams' own behaviour, so that its
 * partitions wait until it comes back or its session times out ({@code
 * insession.streams.leave.group.on.close}; docs/high-availability.md).
 */
public final class StreamsRunner implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StreamsRunner.class);

  private final KafkaStreams streams;
  private final CountDownLatch running = new CountDownLatch(1);
  private final CountDownLatch failed = new CountDownLatch(1);
  private volatile Throwable failure;
  private volatile Runnable onFailure = () -> {};
  private final ScorerWarmup warmup;
  private final GroupMembershipOperation onClose;

  /**
   * A runner with nothing to warm up that stays in its group on {@link #close()} (Kafka Streams'
   * own behaviour).
   */
  public StreamsRunner(final Topology topology, final Properties properties) {
    this(topology, properties, ScorerWarmup.none(), false);
  }

  /**
   * A runner whose readiness also waits for {@code warmup}, which it waits for on {@link #close()}
   * (before the scorer closes).
   *
   * @param leaveGroupOnClose whether {@link #close()} leaves the group (static member or not)
   */
  public StreamsRunner(
      final Topology topology,
      final Properties properties,
      final ScorerWarmup warmup,
      final boolean leaveGroupOnClose) {
    this(topology, properties, new FreeThreadClientSupplier(), warmup, leaveGroupOnClose);
  }

  /** The same on the given Kafka clients. */
  StreamsRunner(
      final Topology topology,
      final Properties properties,
      final KafkaClientSupplier clients,
      final ScorerWarmup warmup,
      final boolean leaveGroupOnClose) {
    this.warmup = Objects.requireNonNull(warmup, "warmup");
    this.onClose =
        leaveGroupOnClose
            ? GroupMembershipOperation.LEAVE_GROUP
            : GroupMembershipOperation.REMAIN_IN_GROUP;
    this.streams = new KafkaStreams(topology, properties, clients);
    streams.setUncaughtExceptionHandler(
        e -> {
          failure = e;
          LOG.error(
              "Stream thread failed; stopping this InSession instance so that it is restarted"
                  + " from its last commit: {}",
              e.toString(),
              e);
          failed.countDown();
          onFailure.run();
          return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    streams.setStateListener(
        (next, previous) -> {
          LOG.info("Kafka Streams state {} -> {}", previous, next);
          if (next == KafkaStreams.State.RUNNING) {
            running.countDown();
          }
          if (next == KafkaStreams.State.ERROR) {
            failed.countDown();
            onFailure.run();
          }
        });
  }

  /** Called (on a stream thread) when the client fails; for example to end the process. */
  public void onFailure(final Runnable action) {
    this.onFailure = action;
  }

  /** Whether the client has failed. */
  public boolean hasFailed() {
    return failed.getCount() == 0;
  }

  /** Starts processing in the background. */
  public void start() {
    streams.start();
  }

  /**
   * Waits until the topology is RUNNING.
   *
   * @return false on timeout
   * @throws IllegalStateException if the client failed first
   */
  public boolean awaitRunning(final Duration timeout) throws InterruptedException {
    final long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (running.await(50, TimeUnit.MILLISECONDS)) {
        return true;
      }
      if (failed.getCount() == 0) {
        throw new IllegalStateException("Kafka Streams failed before RUNNING", failure);
      }
    }
    return false;
  }

  /** The current state (for health checks). */
  public KafkaStreams.State state() {
    return streams.state();
  }

  /** What readiness waits for besides RUNNING: the scorer's warm-up; empty once warm. */
  public Optional<String> warmupPending() {
    return warmup.pending();
  }

  /** The underlying client, for metrics and interactive queries. */
  public KafkaStreams streams() {
    return streams;
  }

  @Override
  public void close() {
    LOG.info(
        "Closing Kafka Streams ({})",
        onClose == GroupMembershipOperation.LEAVE_GROUP
            ? "leaving the group: its tasks move to the other instances now"
            : "staying in the group: its tasks wait for it or for the session timeout");
    try {
      streams.close(
          CloseOptions.groupMembershipOperation(onClose).withTimeout(Duration.ofSeconds(30)));
    } finally {
      warmup.close();
    }
  }
}
