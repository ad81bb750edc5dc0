package io.insession.topology;

import io.insession.metrics.TopologyMetrics;
import io.insession.rules.RuleChain;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.ScoredItem;
import io.insession.schemas.SessionState;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.Candidate;
import io.insession.scoring.SessionScorer;
import io.insession.session.SessionStates;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The heart of the topology, per valid event: load the session state, advance the scorer by one
 * step from the stored state, apply the rules, store the new state, emit the list.
 *
 * <p>Events are scored in micro-batches across the sessions of this task (one ONNX call for many
 * sessions, see {@link MicroBatch}): each event is first written to the changelogged {@code
 * pending-events} store, and the batch is scored when it is full or when the wall-clock punctuator
 * fires, whichever comes first. Because pending events live in a store, they are committed in the
 * same transaction as the input offsets: after a crash they are restored and scored, never lost and
 * never scored twice. With a batch size of 1 events are scored at once and the store is not used.
 *
 * <p>A stream-time punctuator removes sessions inactive for longer than the gap, so state stays
 * bounded by the active sessions.
 *
 * <p>Metrics: each scorer call (duration, requests; in {@link MicroBatch}), each list out (event
 * time to emission), and the session count of the task at each expiry scan.
 */
final class ScoreSessionProcessor
    implements Processor<String, WeblogEvent, String, RecommendationList> {

  /** Name of the store holding events that wait for their micro-batch. */
  static final String PENDING_STORE = "pending-events";

  private final SessionScorer scorer;
  private final MicroBatch batch;
  private final TopologySettings settings;
  private final Clock clock;
  private final TopologyMetrics metrics;
  private String task;
  private ProcessorContext<String, RecommendationList> context;
  private KeyValueStore<String, SessionState> sessions;
  private KeyValueStore<Long, WeblogEvent> pending;
  private long nextSequence;
  private int pendingCount;
  private final Set<String> pendingSessions = new HashSet<>();

  ScoreSessionProcessor(
      final SessionScorer scorer,
      final RuleChain rules,
      final TopologySettings settings,
      final Clock clock,
      final TopologyMetrics metrics) {
    this.scorer = scorer;
    this.batch = new MicroBatch(scorer, rules, settings, metrics);
    this.settings = settings;
    this.clock = clock;
    this.metrics = metrics;
  }

  @Override
  public void init(final ProcessorContext<String, RecommendationList> context) {
    this.context = context;
    this.sessions = context.getStateStore(SessionStates.STORE_NAME);
    this.task = context.taskId().toString();
    context.schedule(
        Duration.ofMillis(settings.expiryScanIntervalMs()),
        PunctuationType.STREAM_TIME,
        this::removeExpiredSessions);
    if (batching()) {
      this.pending = context.getStateStore(PENDING_STORE);
      resumePending();
      context.schedule(
          Duration.ofMillis(settings.batchMaxDelayMs()),
          PunctuationType.WALL_CLOCK_TIME,
          now -> flush());
    }
  }

  private boolean batching() {
    return settings.batchMaxSize() > 1;
  }

  /** After a restart: count the restored pending events and continue their sequence. */
  private void resumePending() {
    pendingCount = 0;
    nextSequence = 0;
    try (KeyValueIterator<Long, WeblogEvent> all = pending.all()) {
      while (all.hasNext()) {
        final KeyValue<Long, WeblogEvent> entry = all.next();
        nextSequence = Math.max(nextSequence, entry.key + 1);
        pendingSessions.add(entry.value.getSessionId());
        pendingCount++;
      }
    }
  }

  @Override
  public void process(final Record<String, WeblogEvent> record) {
    if (!batching()) {
      score(List.of(record.value()));
      return;
    }
    pending.put(nextSequence++, record.value());
    pendingSessions.add(record.key());
    pendingCount++;
    if (pendingCount >= settings.batchMaxSize()) {
      flush();
    }
  }

  /** Scores every pending event, in arrival order. */
  private void flush() {
    if (pendingCount == 0) {
      return;
    }
    final List<Long> keys = new ArrayList<>(pendingCount);
    final List<WeblogEvent> events = new ArrayList<>(pendingCount);
    try (KeyValueIterator<Long, WeblogEvent> all = pending.all()) {
      while (all.hasNext()) {
        final KeyValue<Long, WeblogEvent> entry = all.next();
        keys.add(entry.key);
        events.add(entry.value);
      }
    }
    for (final Long key : keys) {
      pending.delete(key);
    }
    pendingCount = 0;
    pendingSessions.clear();
    score(events);
  }

  private void score(final List<WeblogEvent> events) {
    final MicroBatch.Outcome outcome = batch.apply(events, sessions::get);
    for (final Map.Entry<String, SessionState> state : outcome.states().entrySet()) {
      sessions.put(state.getKey(), state.getValue());
    }
    for (final MicroBatch.Emission emission : outcome.emissions()) {
      final WeblogEvent trigger = emission.trigger();
      final RecommendationList list =
          toList(trigger, emission.ranked(), emission.fallback(), emission.state());
      context.forward(
          new Record<>(trigger.getSessionId(), list, trigger.getEventTime().toEpochMilli()));
      metrics.listOut(Duration.between(list.getTriggerEventTime(), list.getEmittedAt()));
    }
  }

  private RecommendationList toList(
      final WeblogEvent trigger,
      final List<Candidate> ranked,
      final boolean fallback,
      final SessionState state) {
    final List<ScoredItem> items = new ArrayList<>(ranked.size());
    for (final Candidate candidate : ranked) {
      items.add(new ScoredItem(candidate.itemId(), candidate.score()));
    }
    return RecommendationList.newBuilder()
        .setRecommendationId(recommendationId(trigger.getSessionId(), trigger.getEventId()))
        .setSessionId(trigger.getSessionId())
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
        // a session with events waiting for their batch may yet continue: the batch decides
        if (SessionStates.isExpired(entry.value, streamTime, settings.sessionGapMs())
            && !pendingSessions.contains(entry.key)) {
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
