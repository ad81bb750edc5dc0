package io.insession.scoring.baseline;

import io.insession.data.Click;
import io.insession.scoring.Candidate;
import io.insession.scoring.ModelInfo;
import io.insession.scoring.PopularityScorer;
import io.insession.scoring.SessionScorer;
import io.insession.scoring.StepRequest;
import io.insession.scoring.StepResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Session-based kNN (SKNN) and its sequence-aware variant V-SKNN, after Ludewig &amp; Jannach
 * (2018), "Evaluation of session-based recommendation algorithms".
 *
 * <p>The current session is the step's recent items plus its item. For each step:
 *
 * <ol>
 *   <li>candidate sessions: the {@code sampleSize} most recent training sessions that share at
 *       least one item with the current session (recency as in {@link TrainingIndex});
 *   <li>similarity between the current session's item vector and the candidate's binary item
 *       vector. In SKNN the current vector is binary; in V-SKNN an item whose last click is at
 *       position {@code p} (1-based) of the {@code L} clicks of the current session weighs {@code p
 *       / L} (linear decay: the latest click weighs 1). The similarity is either the cosine or, as
 *       session-rec's V-SKNN computes it whatever its {@code similarity} parameter says, the
 *       weighted overlap divided by the number of distinct current items (no normalisation by the
 *       candidate's length): see {@link Similarity};
 *   <li>the {@code k} most similar sessions are the neighbours (ties: the more recent first);
 *   <li>an item's score is the sum of the similarities of the neighbours containing it.
 * </ol>
 *
 * <p>Candidates are the {@code maxCandidates} best scored items (ties by item index), items of the
 * current session included (rules filter them later). The state is always empty; a step whose item
 * is unknown gets the popularity fallback with {@code itemKnown=false}. Thread-safe: the training
 * index is immutable and each thread has its own scratch arrays.
 */
public final class SessionKnnScorer implements SessionScorer {

  /** How the current session's items are weighted. */
  public enum Mode {
    /** Binary: every item of the current session weighs 1. */
    SKNN,
    /** Linear decay: the item last clicked at position p of L weighs p / L. */
    V_SKNN
  }

  /** How a candidate session's similarity to the current session is computed. */
  public enum Similarity {
    /** Cosine: weighted overlap / (norm of the current vector * sqrt(candidate's items)). */
    COSINE,
    /**
     * Weighted overlap / distinct items of the current session: session-rec's V-SKNN ({@code
     * VMContextKNN.vec}); long candidate sessions are not penalised.
     */
    WEIGHTED_OVERLAP
  }

  /**
   * Parameters.
   *
   * @param mode SKNN or V-SKNN
   * @param similarity how candidate sessions are compared with the current one
   * @param k neighbour sessions
   * @param sampleSize most recent candidate sessions considered
   * @param maxCandidates longest candidate list
   */
  public record Settings(
      Mode mode, Similarity similarity, int k, int sampleSize, int maxCandidates) {
    public Settings {
      Objects.requireNonNull(mode, "mode");
      Objects.requireNonNull(similarity, "similarity");
      if (k < 1 || sampleSize < 1 || maxCandidates < 1) {
        throw new IllegalArgumentException(
            "k, sampleSize and maxCandidates must be >= 1, got "
                + k
                + ", "
                + sampleSize
                + ", "
                + maxCandidates);
      }
    }

    /**
     * The reference settings of {@code ../shared/data/README.md}: k = 100, the 1,000 most recent
     * sessions, 100 candidates; cosine for SKNN, the weighted overlap for V-SKNN (the reference
     * V-SKNN figures reproduce only with it, as in session-rec).
     */
    public static Settings defaults(final Mode mode) {
      return new Settings(
          mode,
          mode == Mode.SKNN ? Similarity.COSINE : Similarity.WEIGHTED_OVERLAP,
          100,
          1000,
          100);
    }

    /** The same settings with another similarity. */
    public Settings withSimilarity(final Similarity value) {
      return new Settings(mode, value, k, sampleSize, maxCandidates);
    }
  }

  private static final byte[] NO_STATE = new byte[0];

  private final TrainingIndex index;
  private final Settings settings;
  private final ModelInfo model;
  private final PopularityScorer popularity;
  private final ThreadLocal<Scratch> scratch;

  private SessionKnnScorer(final TrainingIndex index, final Settings settings) {
    this.index = index;
    this.settings = settings;
    this.model =
        new ModelInfo(
            settings.mode() == Mode.SKNN ? "sknn" : "v-sknn",
            String.format(
                Locale.ROOT,
                "%s,k=%d,sample=%d,recent",
                settings.similarity().name().toLowerCase(Locale.ROOT),
                settings.k(),
                settings.sampleSize()));
    this.popularity = Baselines.popularity(index, settings.maxCandidates());
    this.scratch = ThreadLocal.withInitial(() -> new Scratch(index.numItems()));
  }

  /** Trains (indexes) the training sessions: session id to its clicks in order. */
  public static SessionKnnScorer train(
      final Map<String, List<Click>> train, final Settings settings) {
    return train(TrainingIndex.build(train), settings);
  }

  static SessionKnnScorer train(final TrainingIndex index, final Settings settings) {
    return new SessionKnnScorer(
        Objects.requireNonNull(index, "index"), Objects.requireNonNull(settings, "settings"));
  }

  @Override
  public ModelInfo model() {
    return model;
  }

  /** This scorer's parameters. */
  public Settings settings() {
    return settings;
  }

  @Override
  public StepResult step(final StepRequest request) {
    if (index.indexOf(request.itemId()) < 0) {
      return new StepResult(NO_STATE, popularity.fallback(settings.maxCandidates()), false);
    }
    final Scratch work = scratch.get();
    try {
      return new StepResult(NO_STATE, score(request, work), true);
    } finally {
      work.clear();
    }
  }

  private List<Candidate> score(final StepRequest request, final Scratch work) {
    final List<String> recent = request.recentItems();
    final int length = recent.size() + 1;
    for (int p = 0; p < length; p++) {
      final int item = index.indexOf(p < recent.size() ? recent.get(p) : request.itemId());
      if (item >= 0) {
        if (work.weight[item] == 0) {
          work.sessionItems[work.sessionItemCount++] = item;
        }
        work.weight[item] = settings.mode() == Mode.SKNN ? 1.0 : (p + 1.0) / length;
      }
    }
    double squares = 0;
    for (int n = 0; n < work.sessionItemCount; n++) {
      squares += work.weight[work.sessionItems[n]] * work.weight[work.sessionItems[n]];
    }
    final double norm = Math.sqrt(squares);
    final int[] sample = mostRecentSessions(work);
    final double[] similarity = new double[sample.length];
    final Integer[] order = new Integer[sample.length];
    for (int n = 0; n < sample.length; n++) {
      final int[] items = index.sessionItems(sample[n]);
      double dot = 0;
      for (final int item : items) {
        dot += work.weight[item];
      }
      similarity[n] =
          settings.similarity() == Similarity.COSINE
              ? dot / (norm * Math.sqrt(items.length))
              : dot / work.sessionItemCount;
      order[n] = n;
    }
    // sample is most recent first, and the sort is stable: ties keep the more recent first
    Arrays.sort(order, (a, b) -> Double.compare(similarity[b], similarity[a]));
    final int neighbours = Math.min(settings.k(), sample.length);
    for (int n = 0; n < neighbours; n++) {
      final double sim = similarity[order[n]];
      for (final int item : index.sessionItems(sample[order[n]])) {
        if (work.score[item] == 0) {
          work.touched[work.touchedCount++] = item;
        }
        work.score[item] += sim;
      }
    }
    final Integer[] items = new Integer[work.touchedCount];
    for (int n = 0; n < items.length; n++) {
      items[n] = work.touched[n];
    }
    Arrays.sort(
        items,
        (a, b) -> {
          final int byScore = Double.compare(work.score[b], work.score[a]);
          return byScore != 0 ? byScore : Integer.compare(a, b);
        });
    final int kept = Math.min(settings.maxCandidates(), items.length);
    final List<Candidate> candidates = new ArrayList<>(kept);
    for (int n = 0; n < kept; n++) {
      candidates.add(new Candidate(index.itemId(items[n]), (float) work.score[items[n]]));
    }
    return candidates;
  }

  /**
   * The {@code sampleSize} most recent sessions containing any item of the current session, most
   * recent first: a k-way merge of the items' session lists (each most recent first).
   */
  private int[] mostRecentSessions(final Scratch work) {
    final int lists = work.sessionItemCount;
    final int[][] sessions = new int[lists][];
    final int[] cursor = new int[lists];
    final int[] heap = new int[lists];
    int heapSize = 0;
    for (int n = 0; n < lists; n++) {
      sessions[n] = index.itemSessions(work.sessionItems[n]);
      if (sessions[n].length > 0) {
        heap[heapSize] = n;
        heapSize++;
        siftUp(heap, heapSize - 1, sessions, cursor);
      }
    }
    final int[] sample = new int[settings.sampleSize()];
    int count = 0;
    int last = -1;
    while (heapSize > 0 && count < sample.length) {
      final int top = heap[0];
      final int session = sessions[top][cursor[top]];
      if (session != last) {
        sample[count++] = session;
        last = session;
      }
      cursor[top]++;
      if (cursor[top] == sessions[top].length) {
        heapSize--;
        heap[0] = heap[heapSize];
      }
      siftDown(heap, heapSize, sessions, cursor);
    }
    return Arrays.copyOf(sample, count);
  }

  private static int head(final int list, final int[][] sessions, final int[] cursor) {
    return sessions[list][cursor[list]];
  }

  /** Max-heap on each list's current session. */
  private static void siftUp(
      final int[] heap, final int at, final int[][] sessions, final int[] cursor) {
    int child = at;
    while (child > 0) {
      final int parent = (child - 1) / 2;
      if (head(heap[parent], sessions, cursor) >= head(heap[child], sessions, cursor)) {
        return;
      }
      swap(heap, parent, child);
      child = parent;
    }
  }

  private static void siftDown(
      final int[] heap, final int size, final int[][] sessions, final int[] cursor) {
    int parent = 0;
    while (true) {
      final int left = 2 * parent + 1;
      if (left >= size) {
        return;
      }
      final int right = left + 1;
      int larger = left;
      if (right < size
          && head(heap[right], sessions, cursor) > head(heap[left], sessions, cursor)) {
        larger = right;
      }
      if (head(heap[parent], sessions, cursor) >= head(heap[larger], sessions, cursor)) {
        return;
      }
      swap(heap, parent, larger);
      parent = larger;
    }
  }

  private static void swap(final int[] heap, final int a, final int b) {
    final int tmp = heap[a];
    heap[a] = heap[b];
    heap[b] = tmp;
  }

  /** The most clicked training items. */
  @Override
  public List<Candidate> fallback(final int count) {
    return popularity.fallback(count);
  }

  /** Nothing to release. */
  @Override
  public void close() {
    // no native resources
  }

  /** Per-thread dense arrays, all zero between steps. */
  private static final class Scratch {
    private final double[] weight;
    private final double[] score;
    private final int[] sessionItems;
    private final int[] touched;
    private int sessionItemCount;
    private int touchedCount;

    Scratch(final int numItems) {
      this.weight = new double[numItems];
      this.score = new double[numItems];
      this.sessionItems = new int[numItems];
      this.touched = new int[numItems];
    }

    void clear() {
      for (int n = 0; n < sessionItemCount; n++) {
        weight[sessionItems[n]] = 0;
      }
      for (int n = 0; n < touchedCount; n++) {
        score[touched[n]] = 0;
      }
      sessionItemCount = 0;
      touchedCount = 0;
    }
  }
}
