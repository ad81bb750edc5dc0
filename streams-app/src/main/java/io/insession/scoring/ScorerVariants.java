package io.insession.scoring;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A named set of scorer variants with weights, and the sticky assignment of sessions to them: a
 * session's variant is {@code murmur3_32(UTF-8 bytes of salt + ":" + sessionId)}, read as an
 * unsigned number in [0, 2^32), scaled onto [0, total weight) and looked up in the cumulative
 * weights (in the order given). The same session id and salt give the same variant on every JVM and
 * after every restart; the topology stores it in the session state on the session's first event and
 * keeps it for the session's life.
 *
 * <p>Immutable; a swap replaces the whole set ({@link CurrentVariants}). {@link #close()} closes
 * each distinct scorer once (variants may share one).
 */
public final class ScorerVariants implements AutoCloseable {

  /** Name of the single variant of the default configuration. */
  public static final String DEFAULT = "default";

  private final List<ScorerVariant> variants;
  private final Map<String, ScorerVariant> byName;
  private final String salt;
  private final long[] cumulative;
  private final long total;

  private ScorerVariants(final List<ScorerVariant> variants, final String salt) {
    this.variants = List.copyOf(variants);
    this.salt = salt;
    this.byName = new LinkedHashMap<>();
    this.cumulative = new long[this.variants.size()];
    long sum = 0;
    for (int i = 0; i < this.variants.size(); i++) {
      final ScorerVariant variant = this.variants.get(i);
      if (byName.put(variant.name(), variant) != null) {
        throw new IllegalArgumentException("variant '" + variant.name() + "' is named twice");
      }
      sum += variant.weight();
      cumulative[i] = sum;
    }
    if (sum <= 0) {
      throw new IllegalArgumentException(
          "the variants' weights add up to 0; at least one variant needs a weight above 0: "
              + describe(this.variants));
    }
    if (sum > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "the variants' weights add up to " + sum + ", more than " + Integer.MAX_VALUE);
    }
    this.total = sum;
  }

  /**
   * A set of variants.
   *
   * @param variants at least one, names unique, weights >= 0 adding up to more than 0
   * @param salt the experiment's salt: another salt reshuffles the sessions
   * @throws IllegalArgumentException on an empty set, a repeated name or weights adding up to 0
   */
  public static ScorerVariants of(final List<ScorerVariant> variants, final String salt) {
    Objects.requireNonNull(variants, "variants");
    Objects.requireNonNull(salt, "salt");
    if (variants.isEmpty()) {
      throw new IllegalArgumentException("a variant set needs at least one variant");
    }
    return new ScorerVariants(variants, salt);
  }

  /** One variant, {@value #DEFAULT}, weight 1: every session on {@code scorer}. */
  public static ScorerVariants single(final SessionScorer scorer) {
    return of(List.of(new ScorerVariant(DEFAULT, 1, scorer)), "");
  }

  /** The variant a new session {@code sessionId} is assigned to. */
  public ScorerVariant variantFor(final String sessionId) {
    if (variants.size() == 1) {
      return variants.get(0);
    }
    final byte[] key = (salt + ":" + sessionId).getBytes(StandardCharsets.UTF_8);
    final long unsigned = Integer.toUnsignedLong(Murmur3.hash32(key, 0));
    final long point = (unsigned * total) >>> 32;
    for (int i = 0; i < cumulative.length; i++) {
      if (point < cumulative[i]) {
        return variants.get(i);
      }
    }
    throw new IllegalStateException("unreachable: point " + point + " >= total " + total);
  }

  /** The variant of this name, if the set has one. */
  public Optional<ScorerVariant> named(final String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** The first variant. */
  public ScorerVariant primary() {
    return variants.get(0);
  }

  /** Each variant's name to the model serving it, in variant order. */
  public Map<String, ModelInfo> models() {
    final Map<String, ModelInfo> models = new LinkedHashMap<>();
    for (final ScorerVariant variant : variants) {
      models.put(variant.name(), variant.scorer().model());
    }
    return Collections.unmodifiableMap(models);
  }

  /** Every variant, in the order given. */
  public List<ScorerVariant> all() {
    return variants;
  }

  /** The experiment's salt. */
  public String salt() {
    return salt;
  }

  /** Each distinct scorer once (variants may share one), in variant order. */
  public List<SessionScorer> scorers() {
    final Set<SessionScorer> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    final List<SessionScorer> distinct = new ArrayList<>();
    for (final ScorerVariant variant : variants) {
      if (seen.add(variant.scorer())) {
        distinct.add(variant.scorer());
      }
    }
    return distinct;
  }

  /** Closes each distinct scorer once. */
  @Override
  public void close() {
    RuntimeException failure = null;
    for (final SessionScorer scorer : scorers()) {
      try {
        scorer.close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public String toString() {
    return describe(variants) + " (salt '" + salt + "')";
  }

  private static String describe(final List<ScorerVariant> variants) {
    final List<String> parts = new ArrayList<>(variants.size());
    for (final ScorerVariant variant : variants) {
      parts.add(variant.name() + " " + variant.scorer().model() + " weight " + variant.weight());
    }
    return String.join(", ", parts);
  }
}
