package io.insession.runtime;

import io.insession.scoring.Candidate;
import io.insession.scoring.ScorerVariants;
import io.insession.scoring.SessionScorer;
import io.insession.scoring.StepRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warms the scorer up in the background while Kafka Streams starts: a few dummy batched steps of
 * every batch size the micro-batcher uses (1, 2, 4, ... up to the largest), so that the first real
 * lists do not pay for ONNX Runtime's first runs (4–16 s were seen). Readiness waits for it ({@link
 * #pending()}). The dummy sessions are new ones on the model's popular items; nothing is stored.
 */
public final class ScorerWarmup implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ScorerWarmup.class);
  private static final int ROUNDS = 2;
  private static final long JOIN_MILLIS = 30_000L;

  private final List<SessionScorer> scorers;
  private final int maxBatch;
  private final Thread thread;
  private volatile boolean done;
  private volatile String failure;

  private ScorerWarmup(final List<SessionScorer> scorers, final int maxBatch) {
    this.scorers = scorers;
    this.maxBatch = maxBatch;
    if (scorers.isEmpty()) {
      this.thread = null;
      this.done = true;
    } else {
      this.thread = new Thread(this::run, "insession-scorer-warmup");
      this.thread.setDaemon(true);
    }
  }

  /** A warm-up that has nothing to do (ready at once). */
  public static ScorerWarmup none() {
    return new ScorerWarmup(List.of(), 1);
  }

  /**
   * Starts warming {@code scorer} up on a daemon thread.
   *
   * @param scorer the scorer; it must stay open until {@link #close()} returned
   * @param maxBatch the largest batch the micro-batcher scores at once
   * @return the running warm-up
   */
  public static ScorerWarmup start(final SessionScorer scorer, final int maxBatch) {
    Objects.requireNonNull(scorer, "scorer");
    return start(List.of(scorer), maxBatch);
  }

  /** Starts warming up each distinct scorer of {@code variants}, one after the other. */
  public static ScorerWarmup start(final ScorerVariants variants, final int maxBatch) {
    return start(variants.scorers(), maxBatch);
  }

  private static ScorerWarmup start(final List<SessionScorer> scorers, final int maxBatch) {
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be >= 1: " + maxBatch);
    }
    final ScorerWarmup warmup = new ScorerWarmup(List.copyOf(scorers), maxBatch);
    warmup.thread.start();
    return warmup;
  }

  /** The batch sizes warmed up: powers of two below {@code maxBatch}, then {@code maxBatch}. */
  static List<Integer> batchSizes(final int maxBatch) {
    final List<Integer> sizes = new ArrayList<>();
    for (int size = 1; size < maxBatch; size *= 2) {
      sizes.add(size);
    }
    sizes.add(maxBatch);
    return sizes;
  }

  /** Why readiness must wait: warming up, or the warm-up failed; empty once warm. */
  public Optional<String> pending() {
    if (failure != null) {
      return Optional.of("model warm-up failed: " + failure);
    }
    return done ? Optional.empty() : Optional.of("model warming up");
  }

  /** Waits for the warm-up thread (so the scorer can be closed safely). */
  @Override
  public void close() {
    if (thread == null) {
      return;
    }
    try {
      thread.join(JOIN_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    try {
      for (final SessionScorer scorer : scorers) {
        warm(scorer);
      }
      done = true;
    } catch (RuntimeException e) {
      failure = e.toString();
      LOG.error("Model warm-up failed; the instance will not report ready", e);
    }
  }

  private void warm(final SessionScorer scorer) {
    final long start = System.nanoTime();
    final List<String> items = scorer.fallback(maxBatch).stream().map(Candidate::itemId).toList();
    if (items.isEmpty()) {
      LOG.warn("No items to warm model {} up with; skipping its warm-up", scorer.model());
      return;
    }
    final List<Integer> sizes = batchSizes(maxBatch);
    for (int round = 0; round < ROUNDS; round++) {
      for (final int size : sizes) {
        final List<StepRequest> requests = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
          requests.add(new StepRequest(new byte[0], List.of(), items.get(i % items.size())));
        }
        scorer.stepAll(requests);
      }
    }
    LOG.info(
        "Model {} warmed up with batches of {} in {} ms",
        scorer.model(),
        sizes,
        (System.nanoTime() - start) / 1_000_000);
  }
}
