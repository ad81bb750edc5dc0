package io.insession.scoring;

import java.util.Objects;

/**
 * How a bundle's step model finds its top-K ({@code retrieval} in metadata.json, see
 * docs/model-bundle.md): {@link #EXACT} scores every item; {@code ivf} searches an inverted-file
 * index in the graph — the {@code probe} lists (of {@code lists}, each padded to {@code listSize}
 * items) whose centroids score best, then an exact re-rank of their items. The graph's inputs and
 * outputs are the same either way, so the serving side only reads and reports this.
 *
 * @param type {@code exact} or {@code ivf}
 * @param scheme the index scheme (e.g. {@code ivf-v1}), empty for exact
 * @param lists number of inverted lists, 0 for exact
 * @param probe lists searched per session, 0 for exact
 * @param listSize items per list (padded), 0 for exact
 */
public record Retrieval(String type, String scheme, int lists, int probe, int listSize) {

  /** Exact scoring of the whole catalog: a bundle without {@code retrieval}. */
  public static final Retrieval EXACT = new Retrieval("exact", "", 0, 0, 0);

  public Retrieval {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(scheme, "scheme");
  }

  /** Whether the top-K is approximate (an index search), not exact. */
  public boolean approximate() {
    return !EXACT.type().equals(type);
  }

  /**
   * Bytes the graph may gather per ONNX Runtime call for the re-rank of an index search: 8 MiB,
   * about what a core's share of the CPU caches holds. An IVF graph copies each session's
   * candidates' embedding rows ({@code candidates() × (hidden + 1)} floats) before it scores them,
   * so a batch's working set grows with the batch (and ONNX Runtime keeps its arena at the largest
   * call's size); calls are split to stay under this. Rows that stay in cache are scored faster
   * than the extra calls cost: on the synthetic million-item index (5.9 MB per session) a batch of
   * 32 ran in half the time as 32 calls than as one under the earlier 256 MiB (BENCHMARKS.md).
   */
  public static final long GATHER_BYTES_PER_CALL = 8L << 20;

  /**
   * The most sessions one ONNX Runtime call may carry: unlimited for exact scoring, otherwise as
   * many as keep the gathered rows (and their scores) under {@code gatherBytes}, at least one.
   *
   * @param hiddenSize the model's hidden size
   * @param gatherBytes the budget per call, e.g. {@link #GATHER_BYTES_PER_CALL}
   */
  public int sessionsPerCall(final int hiddenSize, final long gatherBytes) {
    if (!approximate()) {
      return Integer.MAX_VALUE;
    }
    final long perSession = (long) candidates() * (hiddenSize + 2L) * Float.BYTES;
    return (int) Math.max(1L, Math.min(Integer.MAX_VALUE, gatherBytes / perSession));
  }

  /** Items re-ranked exactly per session: {@code probe × listSize}, 0 for exact scoring. */
  public int candidates() {
    return probe * listSize;
  }

  /** One line for logs: {@code exact}, or the index's scheme and sizes. */
  public String describe() {
    return approximate()
        ? type
            + " ("
            + scheme
            + ": "
            + probe
            + " of "
            + lists
            + " lists of "
            + listSize
            + " items, "
            + candidates()
            + " candidates re-ranked per session)"
        : type;
  }
}
