package io.insession.topology;

import io.insession.catalog.CatalogStore;
import io.insession.catalog.ItemCatalog;
import io.insession.metrics.TopologyMetrics;
import io.insession.rules.VariantRuleChains;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.ScoredItem;
import io.insession.schemas.SessionState;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.Candidate;
import io.insession.scoring.CurrentVariants;
import io.insession.session.EventSemantics;
import io.insession.session.SessionStates;
import io.insession.trending.TrendingLists;
import io.insession.trending.TrendingScopes;
import io.insession.trending.TrendingStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
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
 * <p>Events are scored in micro-batches across the sessions of every task of the stream thread (one
 * ONNX call for many sessions, see {@link MicroBatch} and {@link ThreadBatch}): each event is first
 * written to this task's changelogged {@code pending-events} store and joins the thread's batch,
 * which is scored when it is full, when the stream thread has been free since its oldest event
 * joined (eager batching, the default: the thread polled again, {@link ThreadCycle}, so it had
 * processed every record it had read), or when its oldest event has waited the maximum delay
 * (checked on every event and by a wall-clock punctuator, every millisecond with eager batching, so
 * that a batch left when the thread goes free is scored at the next pass). A quiet thread thus
 * scores an event as soon as it has read it; a busy one scores in one call all it read while busy.
 * Because pending events live in a store, they are committed in the same transaction as the input
 * offsets: after a crash they are restored and scored, never lost and never scored twice.
 *
 * <p>Only a task's own processor writes its stores and forwards its lists. When another task's
 * processor scores the batch, this task's results wait in memory ({@link #ready}) and are emitted
 * at this processor's next event or punctuation, before anything else it does; their events stay in
 * the pending store until then, so a crash in between re-scores them. With a batch size of 1 events
 * are scored at once and the store is not used.
 *
 * <p>A wall-clock punctuator removes sessions idle for longer than the gap, so state stays bounded
 * by the active sessions. Idle time is measured by this stream's own clock from when it last
 * processed one of the session's events ({@code lastSeenAt}), never by stream time: stream time is
 * the largest record timestamp seen, so one event dated 50 minutes ahead (a client clock that is
 * fast, within what the broker accepts) would make every other session of the partition look
 * expired. Whether an event continues its session is still decided by the session's own event times
 * ({@link SessionStates#resume}), so a replay of old events keeps their sessions apart as they
 * were; a backlog read after downtime is not expired while it is being read, because each session's
 * idle time starts when its events are processed.
 *
 * <p>A {@code FORGET_SESSION} control record (on the weblog topic, keyed by its session id, so in
 * order with the session's events and in the same exactly-once transaction) deletes the session's
 * state and emits a tombstone (null list) for it; a later event of that id starts a new session.
 *
 * <p>Each list carries its session's variant and the name and version of the model that scored it
 * (both stored in the session state, see {@link MicroBatch}).
 *
 * <p>Metrics: each scorer call (duration, requests; in {@link MicroBatch}), each list out (event
 * time to emission), and the session count of the task at each expiry scan.
 */
final class ScoreSessionProcessor
    implements Processor<String, WeblogEvent, String, RecommendationList> {

  /** Name of the store holding events that wait for their micro-batch. */
  static final String PENDING_STORE = "pending-events";

  /**
   * This task's share of a scored batch, to be emitted by this processor.
   *
   * @param pendingKeys the events' keys in the pending store
   * @param states the new state of each of this task's sessions in the batch
   * @param emissions the lists, in order
   */
  private record Scored(
      List<Long> pendingKeys,
      Map<String, SessionState> states,
      List<MicroBatch.Emission> emissions) {}

  private final CurrentVariants variants;
  private final Function<ItemCatalog, VariantRuleChains> rules;
  private MicroBatch batch;
  private final Supplier<ThreadBatch> threadBatches;
  private final TopologySettings settings;
  private final Clock clock;
  private final TopologyMetrics metrics;
  private String task;
  private ProcessorContext<String, RecommendationList> context;
  private KeyValueStore<String, SessionState> sessions;
  private KeyValueStore<Long, WeblogEvent> pending;
  private ThreadBatch threadBatch;
  private long nextSequence;
  private final Set<String> pendingSessions = new HashSet<>();
  private final List<Scored> ready = new ArrayList<>();

  ScoreSessionProcessor(
      final CurrentVariants variants,
      final Function<ItemCatalog, VariantRuleChains> rules,
      final TopologySettings settings,
      final Supplier<ThreadBatch> threadBatches,
      final Clock clock,
      final TopologyMetrics metrics) {
    this.variants = variants;
    this.rules = rules;
    this.threadBatches = threadBatches;
    this.settings = settings;
    this.clock = clock;
    this.metrics = metrics;
  }

  @Override
  public void init(final ProcessorContext<String, RecommendationList> context) {
    this.context = context;
    this.sessions = context.getStateStore(SessionStates.STORE_NAME);
    // the catalogue is a global store: every task reads the whole of it, by key only
    final ItemCatalog catalog =
        settings.rules().needsCatalog()
            ? new CatalogStore(context.getStateStore(CatalogStore.STORE_NAME))
            : ItemCatalog.EMPTY;
    // live trending, when on, replaces the frozen popularity list as the cold start
    final TrendingLists trending =
        settings.trending().enabled()
            ? new TrendingStore(context.getStateStore(TrendingStore.STORE_NAME))
            : TrendingLists.NONE;
    this.batch =
        new MicroBatch(
            variants,
            rules.apply(catalog),
            settings,
            metrics,
            count -> trending.top(TrendingScopes.ALL, count).items());
    this.task = context.taskId().toString();
    context.schedule(
        Duration.ofMillis(settings.expiryScanIntervalMs()),
        PunctuationType.WALL_CLOCK_TIME,
        this::removeExpiredSessions);
    if (batching()) {
      this.pending = context.getStateStore(PENDING_STORE);
      this.threadBatch = threadBatches.get();
      resumePending();
      context.schedule(
          Duration.ofMillis(settings.batchEager() ? 1 : settings.batchMaxDelayMs()),
          PunctuationType.WALL_CLOCK_TIME,
          now -> {
            emitReady();
            flushIfDue();
          });
    }
  }

  private boolean batching() {
    return settings.batchMaxSize() > 1;
  }

  /** After a restart: the restored pending events join the batch again, in their order. */
  private void resumePending() {
    nextSequence = 0;
    final long now = context.currentSystemTimeMs();
    try (KeyValueIterator<Long, WeblogEvent> all = pending.all()) {
      while (all.hasNext()) {
        final KeyValue<Long, WeblogEvent> entry = all.next();
        nextSequence = Math.max(nextSequence, entry.key + 1);
        pendingSessions.add(entry.value.getSessionId());
        threadBatch.add(new ThreadBatch.Entry(this, entry.key, entry.value), now);
      }
    }
  }

  @Override
  public void process(final Record<String, WeblogEvent> record) {
    if (EventSemantics.forgetsSession(record.value().getEventType())) {
      forget(record.key(), record.timestamp());
      return;
    }
    if (!batching()) {
      final MicroBatch.Outcome outcome = batch.apply(List.of(record.value()), sessions::get);
      emit(new Scored(List.of(), outcome.states(), outcome.emissions()));
      return;
    }
    // results of an earlier batch first: a session's next event must see the state they leave
    emitReady();
    // events read before the thread was last free are scored before this one joins
    flushIfDue();
    final long key = nextSequence++;
    pending.put(key, record.value());
    pendingSessions.add(record.key());
    threadBatch.add(
        new ThreadBatch.Entry(this, key, record.value()), context.currentSystemTimeMs());
    flushIfDue();
  }

  /**
   * Forgets a session: its events that wait for their batch are scored first (they came before the
   * control record, and their lists must not outlive it), then its state is deleted (a tombstone on
   * the store's changelog) and a tombstone goes to the recommendations topic after its last list.
   * An unknown session gets the same tombstone: forgetting is idempotent.
   */
  private void forget(final String sessionId, final long timestamp) {
    if (batching()) {
      emitReady();
      if (pendingSessions.contains(sessionId)) {
        flush();
      }
      pendingSessions.remove(sessionId);
    }
    sessions.delete(sessionId);
    context.forward(new Record<String, RecommendationList>(sessionId, null, timestamp));
    metrics.sessionForgotten();
  }

  private void flushIfDue() {
    if (threadBatch.due(
        context.currentSystemTimeMs(),
        settings.batchMaxSize(),
        settings.batchMaxDelayMs(),
        settings.batchEager())) {
      flush();
    }
  }

  /** Scores the thread's whole batch, hands every task its share, and emits this task's at once. */
  private void flush() {
    final List<ThreadBatch.Entry> entries = threadBatch.takeAll();
    if (entries.isEmpty()) {
      return;
    }
    final Map<String, ScoreSessionProcessor> owners = new HashMap<>();
    final Map<ScoreSessionProcessor, Scored> shares = new LinkedHashMap<>();
    final List<WeblogEvent> events = new ArrayList<>(entries.size());
    for (final ThreadBatch.Entry entry : entries) {
      owners.put(entry.event().getSessionId(), entry.owner());
      shares
          .computeIfAbsent(
              entry.owner(),
              owner -> new Scored(new ArrayList<>(), new HashMap<>(), new ArrayList<>()))
          .pendingKeys()
          .add(entry.key());
      events.add(entry.event());
    }
    final MicroBatch.Outcome outcome;
    try {
      outcome = batch.apply(events, sessionId -> owners.get(sessionId).storedState(sessionId));
    } catch (RuntimeException e) {
      // the events stay in the pending stores (scored again after the restart); none waits here
      threadBatch.done(entries.size());
      throw e;
    }
    outcome
        .states()
        .forEach(
            (sessionId, state) -> shares.get(owners.get(sessionId)).states().put(sessionId, state));
    for (final MicroBatch.Emission emission : outcome.emissions()) {
      shares.get(owners.get(emission.trigger().getSessionId())).emissions().add(emission);
    }
    shares.forEach((owner, share) -> owner.ready.add(share));
    emitReady();
  }

  /** A session's state as this task last left it (results not yet emitted included). */
  private SessionState storedState(final String sessionId) {
    for (int i = ready.size() - 1; i >= 0; i--) {
      final SessionState state = ready.get(i).states().get(sessionId);
      if (state != null) {
        return state;
      }
    }
    return sessions.get(sessionId);
  }

  /** Emits this task's scored results: pending events done, states stored, lists forwarded. */
  private void emitReady() {
    // each share leaves the list once emitted, so that close() counts only the others as done
    while (!ready.isEmpty()) {
      final Scored share = ready.get(0);
      for (final Long key : share.pendingKeys()) {
        pending.delete(key);
      }
      pendingSessions.removeAll(share.states().keySet());
      emit(share);
      threadBatch.done(share.pendingKeys().size());
      ready.remove(0);
    }
  }

  private void emit(final Scored share) {
    final long now = context.currentSystemTimeMs();
    for (final Map.Entry<String, SessionState> state : share.states().entrySet()) {
      sessions.put(state.getKey(), SessionStates.seen(state.getValue(), now));
    }
    for (final MicroBatch.Emission emission : share.emissions()) {
      final WeblogEvent trigger = emission.trigger();
      final RecommendationList list =
          toList(trigger, emission.ranked(), emission.fallback(), emission.state());
      context.forward(
          new Record<>(trigger.getSessionId(), list, trigger.getEventTime().toEpochMilli()));
      metrics.listOut(
          list.getVariant(), Duration.between(list.getTriggerEventTime(), list.getEmittedAt()));
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
        .setModelName(state.getModelName())
        .setModelVersion(state.getModelVersion())
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

  private void removeExpiredSessions(final long wallClockTime) {
    if (batching()) {
      emitReady();
    }
    final List<String> expired = new ArrayList<>();
    long scanned = 0;
    try (KeyValueIterator<String, SessionState> all = sessions.all()) {
      while (all.hasNext()) {
        final KeyValue<String, SessionState> entry = all.next();
        scanned++;
        // a session with events waiting for their batch may yet continue: the batch decides
        if (SessionStates.isIdle(entry.value, wallClockTime, settings.sessionGapMs())
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
    if (threadBatch != null) {
      // their events stay in the pending store: whoever owns the task next scores them
      threadBatch.removeAll(this);
      for (final Scored share : ready) {
        threadBatch.done(share.pendingKeys().size());
      }
    }
    ready.clear();
    metrics.taskClosed(task);
  }
}
