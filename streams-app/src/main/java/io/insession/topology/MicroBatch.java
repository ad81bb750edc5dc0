package io.insession.topology;

import io.insession.metrics.TopologyMetrics;
import io.insession.rules.RuleChain;
import io.insession.rules.SessionView;
import io.insession.rules.VariantRuleChains;
import io.insession.schemas.EventType;
import io.insession.schemas.SessionState;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.Candidate;
import io.insession.scoring.CurrentVariants;
import io.insession.scoring.ScorerVariant;
import io.insession.scoring.ScorerVariants;
import io.insession.scoring.SessionScorer;
import io.insession.scoring.StepRequest;
import io.insession.scoring.StepResult;
import io.insession.session.EventSemantics;
import io.insession.session.SessionStates;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * Scores a batch of events from many sessions with as few scorer calls as possible: each round
 * takes the next event of every session in the batch and advances them all in one {@link
 * SessionScorer#stepAll} call, so a session's events are still applied strictly in order and every
 * event sees the state its predecessor left. Pure: it reads stored states through a function and
 * returns the new states and lists; the caller persists and emits them.
 *
 * <p>Idempotent events: a session remembers the ids of its last events ({@link
 * StreamSafety#recentEventIds}); an event whose id it already applied (a retry, also within one
 * batch) changes nothing and emits nothing: its list is the one the first copy triggered (same
 * recommendation id). Each state is kept within {@link StreamSafety#stateMaxBytes}.
 *
 * <p>Variants: a new session is assigned its variant by the set's sticky assignment ({@link
 * ScorerVariants#variantFor}); the state stores the variant's name, and each of the session's
 * events is scored by that variant's scorer. Each round's requests are grouped by variant, one
 * {@link SessionScorer#stepAll} call per variant. With one variant this is one call per round, as
 * before.
 *
 * <p>Warm sessions: a session whose hidden state another model (name or version) wrote, e.g. after
 * the set was replaced by a new version, is re-encoded by its variant's model from the recent items
 * it stores before its next item event is applied ({@link #reencode}); it is never reset.
 */
final class MicroBatch {

  /** One list to emit, in the order the events were applied. */
  record Emission(
      WeblogEvent trigger, List<Candidate> ranked, boolean fallback, SessionState state) {}

  /**
   * The outcome of a batch.
   *
   * @param states the final state of every session the batch touched
   * @param emissions the lists, each session's in event order
   * @param scorerCalls how many times the scorer was called
   */
  record Outcome(Map<String, SessionState> states, List<Emission> emissions, int scorerCalls) {}

  private final CurrentVariants variants;
  private final VariantRuleChains rules;
  private final TopologySettings settings;
  private final TopologyMetrics metrics;
  private final IntFunction<List<Candidate>> coldStart;

  /**
   * A batch scorer of one variant, {@value ScorerVariants#DEFAULT}, on {@code scorer}, every list
   * through {@code rules} without backfill.
   */
  MicroBatch(
      final SessionScorer scorer,
      final RuleChain rules,
      final TopologySettings settings,
      final TopologyMetrics metrics) {
    this(
        new CurrentVariants(ScorerVariants.single(scorer)),
        VariantRuleChains.single(rules),
        settings,
        metrics);
  }

  /**
   * @param variants the variant set to score with, leased once per {@link #apply} call
   * @param rules the rule chain of each variant
   */
  MicroBatch(
      final CurrentVariants variants,
      final VariantRuleChains rules,
      final TopologySettings settings,
      final TopologyMetrics metrics) {
    this(variants, rules, settings, metrics, count -> List.of());
  }

  /**
   * @param coldStart the live cold-start list (at most that many items, best first; empty when it
   *     has no data): served instead of the scorer's frozen fallback to a session whose item the
   *     model does not know
   */
  MicroBatch(
      final CurrentVariants variants,
      final VariantRuleChains rules,
      final TopologySettings settings,
      final TopologyMetrics metrics,
      final IntFunction<List<Candidate>> coldStart) {
    this.coldStart = coldStart;
    this.variants = variants;
    this.rules = rules;
    this.settings = settings;
    this.metrics = metrics;
  }

  /**
   * Applies {@code events} (in arrival order) on top of the stored states.
   *
   * @param stored the stored state of a session, or null
   */
  Outcome apply(final List<WeblogEvent> events, final Function<String, SessionState> stored) {
    // one set for the whole batch: a swap of the set applies from the next batch on, and the
    // replaced set is closed only after the batches that leased it
    try (CurrentVariants.Lease lease = variants.acquire()) {
      return apply(events, stored, lease.variants());
    }
  }

  private Outcome apply(
      final List<WeblogEvent> events,
      final Function<String, SessionState> stored,
      final ScorerVariants set) {
    final Map<String, ArrayDeque<WeblogEvent>> queues = new LinkedHashMap<>();
    for (final WeblogEvent event : events) {
      queues.computeIfAbsent(event.getSessionId(), id -> new ArrayDeque<>()).add(event);
    }
    final Map<String, SessionState> states = new HashMap<>();
    final List<Emission> emissions = new ArrayList<>(events.size());
    int calls = 0;
    while (!queues.isEmpty()) {
      final List<WeblogEvent> triggers = new ArrayList<>();
      final Iterator<Map.Entry<String, ArrayDeque<WeblogEvent>>> it = queues.entrySet().iterator();
      while (it.hasNext()) {
        final Map.Entry<String, ArrayDeque<WeblogEvent>> queue = it.next();
        final WeblogEvent next =
            touchUntilStep(queue.getKey(), queue.getValue(), states, stored, set);
        if (next != null) {
          triggers.add(next);
        }
        if (queue.getValue().isEmpty()) {
          it.remove();
        }
      }
      if (triggers.isEmpty()) {
        continue;
      }
      calls += reencode(triggers, states, set);
      // this round's requests grouped by variant (one stepAll call each), in first-seen order
      final Map<ScorerVariant, List<Integer>> groups = new LinkedHashMap<>();
      final List<StepRequest> requests = new ArrayList<>(triggers.size());
      for (final WeblogEvent next : triggers) {
        final SessionState current = states.get(next.getSessionId());
        groups
            .computeIfAbsent(variantOf(current, set), variant -> new ArrayList<>())
            .add(requests.size());
        requests.add(
            new StepRequest(
                SessionStates.scorerState(current), current.getRecentItems(), next.getItemId()));
      }
      final StepResult[] results = new StepResult[requests.size()];
      for (final Map.Entry<ScorerVariant, List<Integer>> group : groups.entrySet()) {
        final List<StepRequest> share = new ArrayList<>(group.getValue().size());
        for (final int index : group.getValue()) {
          share.add(requests.get(index));
        }
        final List<StepResult> scored = stepAll(group.getKey(), share);
        calls++;
        for (int i = 0; i < scored.size(); i++) {
          results[group.getValue().get(i)] = scored.get(i);
        }
      }
      for (int i = 0; i < results.length; i++) {
        emissions.add(advance(triggers.get(i), results[i], states, set));
      }
    }
    return new Outcome(states, emissions, calls);
  }

  /** One scorer call for {@code variant}, timed and counted. */
  private List<StepResult> stepAll(final ScorerVariant variant, final List<StepRequest> requests) {
    final long start = System.nanoTime();
    final List<StepResult> scored = variant.scorer().stepAll(requests);
    metrics.scored(variant.name(), requests.size(), System.nanoTime() - start);
    return scored;
  }

  /**
   * Warm sessions across model versions: each trigger's session whose hidden state another model
   * wrote gets it computed anew by its variant's model, from a zero state over the recent items it
   * stores (oldest first, so at most {@code insession.session.recent.items} steps), exactly as a
   * session fed those items from its start on this model. The sessions of a round are re-encoded
   * together: step k advances every such session by its k-th item, one {@link
   * SessionScorer#stepAll} call per variant. A session none of whose items the model knows keeps an
   * empty state: its event is then scored as a new session's.
   *
   * @return how many scorer calls the re-encoding took
   */
  private int reencode(
      final List<WeblogEvent> triggers,
      final Map<String, SessionState> states,
      final ScorerVariants set) {
    final List<Reencoding> pending = new ArrayList<>();
    for (final WeblogEvent trigger : triggers) {
      final SessionState current = states.get(trigger.getSessionId());
      final ScorerVariant variant = variantOf(current, set);
      if (!SessionStates.writtenBy(current, variant.scorer().model())) {
        pending.add(new Reencoding(trigger.getSessionId(), variant, current.getRecentItems()));
      }
    }
    int calls = 0;
    for (int step = 0; ; step++) {
      final Map<ScorerVariant, List<Reencoding>> groups = new LinkedHashMap<>();
      for (final Reencoding session : pending) {
        if (step < session.items.size()) {
          groups.computeIfAbsent(session.variant, variant -> new ArrayList<>()).add(session);
        }
      }
      if (groups.isEmpty()) {
        break;
      }
      for (final Map.Entry<ScorerVariant, List<Reencoding>> group : groups.entrySet()) {
        final List<StepRequest> share = new ArrayList<>(group.getValue().size());
        for (final Reencoding session : group.getValue()) {
          share.add(session.request(step));
        }
        final List<StepResult> scored = stepAll(group.getKey(), share);
        calls++;
        for (int i = 0; i < scored.size(); i++) {
          group.getValue().get(i).stepped(scored.get(i));
        }
      }
    }
    for (final Reencoding session : pending) {
      states.put(
          session.sessionId,
          SessionStates.reencoded(
              states.get(session.sessionId),
              session.variant.scorer().model(),
              session.state,
              session.knownItems));
      metrics.reencoded(session.variant.name(), session.items.size());
    }
    return calls;
  }

  /** One session's re-encoding in progress. */
  private static final class Reencoding {
    private final String sessionId;
    private final ScorerVariant variant;
    private final List<String> items;
    private byte[] state = new byte[0];
    private int knownItems;

    Reencoding(final String sessionId, final ScorerVariant variant, final List<String> items) {
      this.sessionId = sessionId;
      this.variant = variant;
      this.items = List.copyOf(items);
    }

    StepRequest request(final int step) {
      return new StepRequest(state, items.subList(0, step), items.get(step));
    }

    void stepped(final StepResult result) {
      state = result.state();
      knownItems += result.itemKnown() ? 1 : 0;
    }
  }

  /** The variant a resumed state names (resumed states always name one of {@code set}). */
  private static ScorerVariant variantOf(final SessionState state, final ScorerVariants set) {
    return set.named(state.getVariant())
        .orElseThrow(
            () -> new IllegalStateException("no variant '" + state.getVariant() + "' in " + set));
  }

  /**
   * Applies the session's leading events that only keep it alive, and returns (and resumes the
   * state for) its next event that advances the model, or null when none is left.
   */
  private WeblogEvent touchUntilStep(
      final String sessionId,
      final ArrayDeque<WeblogEvent> queue,
      final Map<String, SessionState> states,
      final Function<String, SessionState> stored,
      final ScorerVariants set) {
    while (!queue.isEmpty()) {
      final WeblogEvent event = queue.poll();
      final SessionState previous =
          states.containsKey(sessionId) ? states.get(sessionId) : stored.apply(sessionId);
      final ScorerVariant variant = assign(sessionId, previous, event, set);
      final SessionState current =
          SessionStates.resume(
              previous,
              variant.name(),
              variant.scorer().model(),
              event.getEventTime(),
              settings.sessionGapMs());
      if (SessionStates.hasApplied(current, event.getEventId())) {
        metrics.duplicateEvent();
        if (previous != null && !states.containsKey(sessionId)) {
          states.put(sessionId, previous);
        }
        continue;
      }
      if (EventSemantics.advancesModel(event.getEventType())) {
        states.put(sessionId, current);
        return event;
      }
      states.put(sessionId, stored(SessionStates.touch(current, event.getEventTime()), event));
    }
    return null;
  }

  /**
   * The session's variant: the one its state names while the session goes on; for a new session (or
   * one whose variant the set no longer has) the set's sticky assignment.
   */
  private ScorerVariant assign(
      final String sessionId,
      final SessionState previous,
      final WeblogEvent event,
      final ScorerVariants set) {
    if (previous != null
        && !SessionStates.isExpired(
            previous, event.getEventTime().toEpochMilli(), settings.sessionGapMs())) {
      final Optional<ScorerVariant> kept = set.named(previous.getVariant());
      if (kept.isPresent()) {
        return kept.get();
      }
    }
    return set.variantFor(sessionId);
  }

  private Emission advance(
      final WeblogEvent trigger,
      final StepResult step,
      final Map<String, SessionState> states,
      final ScorerVariants set) {
    final String sessionId = trigger.getSessionId();
    final SessionState advanced =
        SessionStates.advance(
            states.get(sessionId),
            trigger.getItemId(),
            step.state(),
            step.itemKnown(),
            trigger.getEventTime(),
            settings.recentItems());
    final SessionState next =
        stored(
            trigger.getEventType() == EventType.PURCHASE
                ? SessionStates.bought(advanced, trigger.getItemId(), settings.recentItems())
                : advanced,
            trigger);
    states.put(sessionId, next);
    final ScorerVariant variant = variantOf(next, set);
    final List<Candidate> ranked =
        rules
            .of(variant.name())
            .rank(
                step.itemKnown() ? step.candidates() : coldStart(step.candidates()),
                rules.backfill() ? variant.scorer()::fallback : null,
                new SessionView(
                    sessionId, next.getRecentItems(), next.getBoughtItems(), !step.itemKnown()),
                (rule, removed) -> metrics.ruleRemoved(rule, variant.name(), removed));
    return new Emission(trigger, ranked, !step.itemKnown(), next);
  }

  /** The live cold-start list as long as the scorer's fallback, when it has data; else that. */
  private List<Candidate> coldStart(final List<Candidate> fallback) {
    final List<Candidate> live = coldStart.apply(Math.max(1, fallback.size()));
    return live.isEmpty() ? fallback : live;
  }

  /** The state after {@code event}: its id remembered, within the byte bound. */
  private SessionState stored(final SessionState state, final WeblogEvent event) {
    final StreamSafety safety = settings.safety();
    return SessionStates.bounded(
        SessionStates.remember(state, event.getEventId(), safety.recentEventIds()),
        safety.stateMaxBytes());
  }
}
