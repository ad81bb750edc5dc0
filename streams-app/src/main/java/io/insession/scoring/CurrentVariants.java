package io.insession.scoring;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The variant set an instance serves now, in one reference: the topology leases it once per batch
 * ({@link #acquire()}), so a batch is scored wholly on one set, and a deployment replaces the whole
 * set atomically ({@link #replace}). A replaced set is closed once the last batch that leased it
 * has finished (a reference count: the "current" slot holds one reference, each lease one more), so
 * batches in flight finish on the set they started with (docs/roll-outs.md).
 *
 * <p>Ownership: a set passed to the constructor stays its caller's (never closed here); a set
 * installed by {@link #replace} or by {@link #owning} is this object's, closed when replaced and
 * drained, or by {@link #close()}.
 */
public final class CurrentVariants implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CurrentVariants.class);

  private final AtomicReference<Held> current;

  /** Serves {@code initial}, which the caller keeps and closes, until replaced. */
  public CurrentVariants(final ScorerVariants initial) {
    this.current = new AtomicReference<>(new Held(initial, false));
  }

  private CurrentVariants(final Held initial) {
    this.current = new AtomicReference<>(initial);
  }

  /** Serves {@code initial} until replaced and closes it once replaced and drained. */
  public static CurrentVariants owning(final ScorerVariants initial) {
    return new CurrentVariants(new Held(initial, true));
  }

  /** The set served now (for reports; a batch takes a {@link #acquire() lease} instead). */
  public ScorerVariants get() {
    return current.get().variants;
  }

  /** Leases the set served now: it stays open until the lease is closed. */
  public Lease acquire() {
    while (true) {
      final Held held = current.get();
      if (held.retain()) {
        return new Lease(held);
      }
      if (current.get() == held) {
        throw new IllegalStateException("the variants are closed");
      }
      // replaced and drained between the read and the retain: read the new one
    }
  }

  /**
   * Serves {@code next} (owned from now on) from the next lease on. The set it replaces is closed,
   * when this object owns it, as soon as no lease holds it any more (at once when none does).
   *
   * @return the set replaced
   */
  public ScorerVariants replace(final ScorerVariants next) {
    final Held old = current.getAndSet(new Held(next, true));
    old.closeOnce();
    return old.variants;
  }

  /** Gives up the set served now: closed when owned, once its last lease is closed. */
  @Override
  public void close() {
    current.get().closeOnce();
  }

  /** One batch's hold on a set; closing it twice does nothing more. */
  public static final class Lease implements AutoCloseable {
    private final Held held;
    private boolean closed;

    private Lease(final Held held) {
      this.held = held;
    }

    /** The leased set. */
    public ScorerVariants variants() {
      return held.variants;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        held.release();
      }
    }
  }

  /** A set with its reference count: 1 for the "current" slot plus 1 per lease. */
  private static final class Held {
    private final ScorerVariants variants;
    private final boolean owned;
    private final AtomicInteger references = new AtomicInteger(1);
    private final AtomicInteger slotReleased = new AtomicInteger();

    Held(final ScorerVariants variants, final boolean owned) {
      this.variants = Objects.requireNonNull(variants, "variants");
      this.owned = owned;
    }

    boolean retain() {
      while (true) {
        final int count = references.get();
        if (count == 0) {
          return false;
        }
        if (references.compareAndSet(count, count + 1)) {
          return true;
        }
      }
    }

    /** Releases the slot's reference (once: replaced or closed). */
    void closeOnce() {
      if (slotReleased.compareAndSet(0, 1)) {
        release();
      }
    }

    void release() {
      if (references.decrementAndGet() == 0 && owned) {
        LOG.info("Closing the variants {}: replaced or stopped, and no batch uses them", variants);
        variants.close();
      }
    }
  }
}
