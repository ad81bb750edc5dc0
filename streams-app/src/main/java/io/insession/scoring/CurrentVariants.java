package io.insession.scoring;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The variant set an instance serves now, in one reference: the topology reads it once per batch,
 * so a batch is scored wholly on one set, and a later deployment can replace the whole set
 * atomically (docs/roll-outs.md; the hot swap itself is not built yet).
 */
public final class CurrentVariants {

  private final AtomicReference<ScorerVariants> current;

  /** Serves {@code initial} until replaced. */
  public CurrentVariants(final ScorerVariants initial) {
    this.current = new AtomicReference<>(Objects.requireNonNull(initial, "initial"));
  }

  /** The set to score the next batch with. */
  public ScorerVariants get() {
    return current.get();
  }

  /**
   * Serves {@code next} from the next batch on; returns the set it replaces, which the caller
   * closes once no batch uses it any more.
   */
  public ScorerVariants replace(final ScorerVariants next) {
    return current.getAndSet(Objects.requireNonNull(next, "next"));
  }
}
