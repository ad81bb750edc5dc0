package io.insession.topology;

import io.insession.metrics.TopologyMetrics;
import io.insession.rules.RuleChain;
import io.insession.rules.SessionView;
import io.insession.schemas.SessionState;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.Candidate;
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
import java.util.function.Function;

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

  private final SessionScorer scorer;
  private final RuleChain rules;
  private final TopologySettings settings;
  private final TopologyMetrics metrics;

  MicroBatch(
      final SessionScorer scorer,
      final RuleChain rules,
      final TopologySettings settings,
      final TopologyMetrics metrics) {
    this.scorer = scorer;
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
    final Map<String, ArrayDeque<WeblogEvent>> queues = new LinkedHashMap<>();
    for (final WeblogEvent event : events) {
      queues.computeIfAbsent(event.getSessionId(), id -> new ArrayDeque<>()).add(event);
    }
    final Map<String, SessionState> states = new HashMap<>();
    final List<Emission> emissions = new ArrayList<>(events.size());
    int calls = 0;
    while (!queues.isEmpty()) {
      final List<WeblogEvent> triggers = new ArrayList<>();
      final List<StepRequest> requests = new ArrayList<>();
      final Iterator<Map.Entry<String, ArrayDeque<WeblogEvent>>> it = queues.entrySet().iterator();
      while (it.hasNext()) {
        final Map.Entry<String, ArrayDeque<WeblogEvent>> queue = it.next();
        final WeblogEvent next = touchUntilStep(queue.getKey(), queue.getValue(), states, stored);
        if (next != null) {
          final SessionState current = states.get(queue.getKey());
          triggers.add(next);
          requests.add(
              new StepRequest(
                  SessionStates.scorerState(current), current.getRecentItems(), next.getItemId()));
        }
        if (queue.getValue().isEmpty()) {
          it.remove();
        }
      }
      if (requests.isEmpty()) {
        continue;
      }
      final long start = System.nanoTime();
      final List<StepResult> results = scorer.stepAll(requests);
      metrics.scored(requests.size(), System.nanoTime() - start);
      calls++;
      for (int i = 0; i < results.size(); i++) {
        emissions.add(advance(triggers.get(i), results.get(i), states));
      }
    }
    return new Outcome(states, emissions, calls);
  }

  /**
   * Applies the session's leading events that only keep it alive, and returns (and resumes the
   * state for) its next event that advances the model, or null when none is left.
   */
  private WeblogEvent touchUntilStep(
      final String sessionId,
      final ArrayDeque<WeblogEvent> queue,
      final Map<String, SessionState> states,
      final Function<String, SessionState> stored) {
    while (!queue.isEmpty()) {
      final WeblogEvent event = queue.poll();
      final SessionState previous =
          states.containsKey(sessionId) ? states.get(sessionId) : stored.apply(sessionId);
      final SessionState current =
          SessionStates.resume(
              previous, scorer.model(), event.getEventTime(), settings.sessionGapMs());
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

  private Emission advance(
      final WeblogEvent trigger, final StepResult step, final Map<String, SessionState> states) {
    final String sessionId = trigger.getSessionId();
    final SessionState next =
        stored(
            SessionStates.advance(
                states.get(sessionId),
                trigger.getItemId(),
                step.state(),
                step.itemKnown(),
                trigger.getEventTime(),
                settings.recentItems()),
            trigger);
    states.put(sessionId, next);
    final List<Candidate> ranked =
        rules.apply(step.candidates(), new SessionView(sessionId, next.getRecentItems()));
    return new Emission(trigger, ranked, !step.itemKnown(), next);
  }

  /** The state after {@code event}: its id remembered, within the byte bound. */
  private SessionState stored(final SessionState state, final WeblogEvent event) {
    final StreamSafety safety = settings.safety();
    return SessionStates.bounded(
        SessionStates.remember(state, event.getEventId(), safety.recentEventIds()),
        safety.stateMaxBytes());
  }
}
