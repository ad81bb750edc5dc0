package io.insession.evaluation;

import io.insession.config.ExcludeSeenSpec;
import io.insession.data.Click;
import io.insession.evaluation.EvaluationReport.Dataset;
import io.insession.evaluation.EvaluationReport.ModelResult;
import io.insession.evaluation.EvaluationReport.Served;
import io.insession.rules.RuleChain;
import io.insession.rules.SessionView;
import io.insession.scoring.SessionScorer;
import io.insession.scoring.StepRequest;
import io.insession.scoring.StepResult;
import io.insession.session.SessionStates;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The field's next-item protocol over one test set: for every test session and every click but the
 * last, the click is fed through the scorer and the ranked candidates are compared with the next
 * click (Recall@K, MRR@K with conservative ties, coverage, popularity), over all predictions and
 * apart over repeat targets (the target already occurs among the session's clicks so far, however
 * long ago) and explore targets (the others).
 *
 * <p>Sessions are stepped as the topology steps them: each starts with an empty scorer state, each
 * step gets the state returned by the previous step of the same session and the session's recent
 * items before the click (at most {@code maxRecentItems}, oldest first), and the serving rules see
 * the recent items including the click (once per seen-items option measured; the evaluation data
 * have no purchases, so {@code bought} excludes nothing here). Sessions are stepped
 * session-parallel: up to {@code batchSize} sessions advance together in one {@link
 * SessionScorer#stepAll} call, a finished session's slot goes to the next session; worker threads
 * each take their own sessions. Since every session carries only its own state and all sums are
 * exact, the figures do not depend on batch size or thread count.
 */
public final class NextItemEvaluator {

  /** Sessions handed to one worker at a time: several per thread, for an even load. */
  private static final int CHUNKS_PER_THREAD = 8;

  private final List<TestSession> sessions;
  private final Catalog catalog;
  private final EvaluationOptions options;
  private final List<RuleChain> servingRules;
  private final Dataset dataset;

  /**
   * Prepares a test set.
   *
   * @param test test sessions: session id to its clicks in order (sessions of one click make no
   *     prediction)
   * @param catalog the training items
   */
  public NextItemEvaluator(
      final Map<String, List<Click>> test, final Catalog catalog, final EvaluationOptions options) {
    Objects.requireNonNull(test, "test");
    this.catalog = Objects.requireNonNull(catalog, "catalog");
    this.options = Objects.requireNonNull(options, "options");
    this.servingRules =
        options.excludeSeen().stream()
            .map(option -> RuleChain.of(option, options.maxCutoff()))
            .toList();
    this.sessions = new ArrayList<>(test.size());
    long events = 0;
    long predictions = 0;
    long unknownTargets = 0;
    long repeatTargets = 0;
    for (final Map.Entry<String, List<Click>> entry : test.entrySet()) {
      final List<String> items = entry.getValue().stream().map(Click::itemId).toList();
      events += items.size();
      if (items.size() >= 2) {
        final TestSession session = TestSession.of(entry.getKey(), items);
        sessions.add(session);
        predictions += items.size() - 1;
        for (int t = 1; t < items.size(); t++) {
          if (!catalog.contains(items.get(t))) {
            unknownTargets++;
          }
          if (session.repeatTarget()[t]) {
            repeatTargets++;
          }
        }
      }
    }
    this.dataset =
        new Dataset(
            options.dataset(),
            test.size(),
            events,
            predictions,
            unknownTargets,
            catalog.size(),
            options.maxRecentItems(),
            repeatTargets);
  }

  /** What is evaluated. */
  public Dataset dataset() {
    return dataset;
  }

  /** Evaluates one scorer (which is not closed). */
  public ModelResult evaluate(final NamedScorer named) {
    return evaluate(named, PredictionListener.NONE);
  }

  /** Evaluates one scorer and shows every prediction to a (thread-safe) listener. */
  ModelResult evaluate(final NamedScorer named, final PredictionListener listener) {
    Objects.requireNonNull(named, "named");
    final long start = System.nanoTime();
    final List<List<TestSession>> chunks = chunks();
    final Shares total = new Shares(options.cutoffs(), catalog, servingRules.size());
    try (Progress progress =
        Progress.forTask(options.progress(), named.name(), dataset.predictions())) {
      final List<Callable<Shares>> tasks = new ArrayList<>(chunks.size());
      for (final List<TestSession> chunk : chunks) {
        tasks.add(() -> run(named.scorer(), chunk, listener, progress));
      }
      for (final Shares share : runAll(tasks)) {
        total.merge(share);
      }
    }
    final double seconds = (System.nanoTime() - start) / 1e9;
    return new ModelResult(
        named.name(),
        named.scorer().model().name(),
        named.scorer().model().version(),
        total.protocol.overall(),
        total.protocol.repeat(),
        total.protocol.explore(),
        served(total),
        total.fallbackSteps,
        seconds,
        seconds > 0 ? total.protocol.predictions() / seconds : 0);
  }

  private List<Served> served(final Shares total) {
    final List<Served> served = new ArrayList<>(servingRules.size());
    for (int o = 0; o < servingRules.size(); o++) {
      final ExcludeSeenSpec option = options.excludeSeen().get(o);
      final SplitAccumulator sums = total.served.get(o);
      served.add(new Served(option.setting(), sums.overall(), sums.repeat(), sums.explore()));
    }
    return served;
  }

  private List<List<TestSession>> chunks() {
    final int count = Math.max(1, options.threads() * CHUNKS_PER_THREAD);
    final int size = Math.max(1, (sessions.size() + count - 1) / count);
    final List<List<TestSession>> chunks = new ArrayList<>();
    for (int from = 0; from < sessions.size(); from += size) {
      chunks.add(sessions.subList(from, Math.min(sessions.size(), from + size)));
    }
    return chunks;
  }

  private List<Shares> runAll(final List<Callable<Shares>> tasks) {
    final List<Shares> results = new ArrayList<>(tasks.size());
    if (options.threads() == 1) {
      for (final Callable<Shares> task : tasks) {
        try {
          results.add(task.call());
        } catch (final RuntimeException e) {
          throw e;
        } catch (final Exception e) {
          throw new IllegalStateException(e);
        }
      }
      return results;
    }
    final ExecutorService pool = Executors.newFixedThreadPool(options.threads());
    try {
      for (final Future<Shares> future : pool.invokeAll(tasks)) {
        results.add(future.get());
      }
      return results;
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("evaluation interrupted", e);
    } catch (final ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException("evaluation failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /** Steps a share of the sessions, {@code batchSize} sessions at a time. */
  private Shares run(
      final SessionScorer scorer,
      final List<TestSession> share,
      final PredictionListener listener,
      final Progress progress) {
    final Shares sums = new Shares(options.cutoffs(), catalog, servingRules.size());
    final List<Cursor> active = new ArrayList<>(options.batchSize());
    int next = 0;
    while (next < share.size() || !active.isEmpty()) {
      while (active.size() < options.batchSize() && next < share.size()) {
        active.add(new Cursor(share.get(next)));
        next++;
      }
      final List<StepRequest> requests = new ArrayList<>(active.size());
      for (final Cursor cursor : active) {
        requests.add(new StepRequest(cursor.state, cursor.recent, cursor.item()));
      }
      final List<StepResult> results = scorer.stepAll(requests);
      if (results.size() != requests.size()) {
        throw new IllegalStateException(
            scorer.model().name()
                + " answered "
                + results.size()
                + " results for "
                + requests.size()
                + " requests");
      }
      final List<Cursor> still = new ArrayList<>(active.size());
      for (int i = 0; i < active.size(); i++) {
        final Cursor cursor = active.get(i);
        final StepResult result = results.get(i);
        final String target = cursor.target();
        final boolean repeat = cursor.session.repeatTarget()[cursor.position + 1];
        cursor.advance(result.state(), options.maxRecentItems());
        sums.protocol.add(result.candidates(), target, repeat);
        if (!servingRules.isEmpty()) {
          final SessionView view = new SessionView(cursor.session.id(), cursor.recent);
          for (int o = 0; o < servingRules.size(); o++) {
            // as served: short lists filled up from the scorer's fallback (rules.RuleChain#rank)
            sums.served
                .get(o)
                .add(
                    servingRules
                        .get(o)
                        .rank(
                            result.candidates(),
                            scorer::fallback,
                            view,
                            RuleChain.RemovalListener.NONE),
                    target,
                    repeat);
          }
        }
        if (!result.itemKnown()) {
          sums.fallbackSteps++;
        }
        listener.onPrediction(cursor.session.id(), cursor.position - 1, result, target);
        if (cursor.hasNext()) {
          still.add(cursor);
        }
      }
      progress.advance(active.size());
      active.clear();
      active.addAll(still);
    }
    return sums;
  }

  /**
   * One test session's item ids, in click order.
   *
   * @param repeatTarget per position, whether its item already occurs at an earlier position
   */
  private record TestSession(String id, List<String> items, boolean[] repeatTarget) {

    static TestSession of(final String id, final List<String> items) {
      final boolean[] repeat = new boolean[items.size()];
      final Set<String> seen = new HashSet<>();
      for (int t = 0; t < items.size(); t++) {
        repeat[t] = !seen.add(items.get(t));
      }
      return new TestSession(id, items, repeat);
    }
  }

  /** A session being stepped: its position, carried scorer state and recent items. */
  private static final class Cursor {
    private final TestSession session;
    private int position;
    private byte[] state = new byte[0];
    private List<String> recent = List.of();

    Cursor(final TestSession session) {
      this.session = session;
    }

    String item() {
      return session.items().get(position);
    }

    String target() {
      return session.items().get(position + 1);
    }

    void advance(final byte[] newState, final int maxRecentItems) {
      recent = SessionStates.append(recent, item(), maxRecentItems);
      state = newState;
      position++;
    }

    /** Whether the session still has a click with a next click. */
    boolean hasNext() {
      return position + 1 < session.items().size();
    }
  }

  /** One worker's sums. */
  private static final class Shares {
    private final SplitAccumulator protocol;
    private final List<SplitAccumulator> served;
    private long fallbackSteps;

    Shares(final List<Integer> cutoffs, final Catalog catalog, final int servedOptions) {
      this.protocol = new SplitAccumulator(cutoffs, catalog);
      this.served = new ArrayList<>(servedOptions);
      for (int o = 0; o < servedOptions; o++) {
        served.add(new SplitAccumulator(cutoffs, catalog));
      }
    }

    void merge(final Shares other) {
      protocol.merge(other.protocol);
      for (int o = 0; o < served.size(); o++) {
        served.get(o).merge(other.served.get(o));
      }
      fallbackSteps += other.fallbackSteps;
    }
  }
}
