package io.insession.topology;

import io.insession.metrics.TopologyMetrics;
import io.insession.rules.RuleChain;
import io.insession.rules.SessionView;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.ScoredItem;
import io.insession.schemas.SessionState;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.Candidate;
import io.insession.scoring.SessionScorer;
import io.insession.scoring.StepRequest;
import io.insession.scoring.StepResult;
import io.insession.session.EventSemantics;
import io.insession.session.SessionStates;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The heart of the topology, per valid event: load the session state, advance the scorer by one
 * step from the stored state, apply the rules, store the new state, emit the list. A stream-time
 * punctuator removes sessions inactive for longer than the gap, so state stays bounded by the
 * active sessions.
 *
 * <p>Metrics: each scorer call (duration, requests), each list out (event time to emission), and
 * the session count of the task at each expiry scan.
 */
final class ScoreSessionProcessor
    implements FixedKeyProcessor<String, WeblogEvent, RecommendationList> {

  private final SessionScorer scorer;
  private final RuleChain rules;
  private final TopologySettings settings;
  private final Clock clock;
  private final TopologyMetrics metrics;
  private String task;
  private FixedKeyProcessorContext<String, RecommendationList> context;
  private KeyValueStore<String, SessionState> sessions;

  ScoreSessionProcessor(
      final SessionScorer scorer,
      final RuleChain rules,
      final TopologySettings settings,
      final Clock clock,
      final TopologyMetrics metrics) {
    this.scorer = scorer;
    this.rules = rules;
    this.settings = settings;
    this.clock = clock;
    this.metrics = metrics;
  }

  @Override
  public void init(final FixedKeyProcessorContext<String, RecommendationList> context) {
    this.context = context;
    this.sessions = context.getStateStore(SessionStates.STORE_NAME);
    this.task = context.taskId().toString();
    context.schedule(
        Duration.ofMillis(settings.expiryScanIntervalMs()),
        PunctuationType.STREAM_TIME,
        this::removeExpiredSessions);
  }

  @Override
  public void process(final FixedKeyRecord<String, WeblogEvent> record) {
    final WeblogEvent event = record.value();
    final String sessionId = record.key();
    final Instant time = event.getEventTime();
    final SessionState current =
        SessionStates.resume(
            sessions.get(sessionId), scorer.model(), time, settings.sessionGapMs());
    if (!EventSemantics.advancesModel(event.getEventType())) {
      sessions.put(sessionId, SessionStates.touch(current, time));
      return;
    }
    final StepResult step =
        timedStep(
            new StepRequest(
                SessionStates.scorerState(current), current.getRecentItems(), event.getItemId()));
    final SessionState next =
        SessionStates.advance(
            current,
            event.getItemId(),
            step.state(),
            step.itemKnown(),
            time,
            settings.recentItems());
    sessions.put(sessionId, next);
    final List<Candidate> ranked =
        rules.apply(step.candidates(), new SessionView(sessionId, next.getRecentItems()));
    final RecommendationList list = toList(sessionId, event, ranked, !step.itemKnown(), next);
    context.forward(record.withValue(list));
    metrics.listOut(Duration.between(list.getTriggerEventTime(), list.getEmittedAt()));
  }

  /** One scorer call, measured. */
  private StepResult timedStep(final StepRequest request) {
    final long start = System.nanoTime();
    final StepResult result = scorer.step(request);
    metrics.scored(1, System.nanoTime() - start);
    return result;
  }

  private RecommendationList toList(
      final String sessionId,
      final WeblogEvent trigger,
      final List<Candidate> ranked,
      final boolean fallback,
      final SessionState state) {
    final List<ScoredItem> items = new ArrayList<>(ranked.size());
    for (final Candidate candidate : ranked) {
      items.add(new ScoredItem(candidate.itemId(), candidate.score()));
    }
    return RecommendationList.newBuilder()
        .setRecommendationId(recommendationId(sessionId, trigger.getEventId()))
        .setSessionId(sessionId)
        .setItems(items)
        .setModelName(scorer.model().name())
        .setModelVersion(scorer.model().version())
        .setVariant(state.getVariant())
        .setFallback(fallback)
        .setTriggerEventId(trigger.getEventId())
        .setTriggerEventTime(trigger.getEventTime())
        .setEmittedAt(clock.instant())
        .build();
  }

  /** Same event, same id: a list re-emitted after a crash keeps its id. */
  static String recommendationId(final String sessionId, final String eventId) {
    return UUID.nameUUIDFromBytes((sessionId + '\u0000' + eventId).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  private void removeExpiredSessions(final long streamTime) {
    final List<String> expired = new ArrayList<>();
    long scanned = 0;
    try (KeyValueIterator<String, SessionState> all = sessions.all()) {
      while (all.hasNext()) {
        final KeyValue<String, SessionState> entry = all.next();
        scanned++;
        if (SessionStates.isExpired(entry.value, streamTime, settings.sessionGapMs())) {
          expired.add(entry.key);
        }
      }
    }
    for (final String sessionId : expired) {
      sessions.delete(sessionId);
    }
    metrics.activeSessions(task, scanned - expired.size());
  }

  @Override
  public void close() {
    metrics.taskClosed(task);
  }
}
