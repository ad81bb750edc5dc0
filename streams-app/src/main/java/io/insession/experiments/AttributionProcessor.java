package io.insession.experiments;

import io.insession.schemas.KpiPartial;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.SessionAttribution;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.CurrentVariants;
import io.insession.session.EventSemantics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Per session (this task's sessions, keyed by session id): applies the attribution rule ({@link
 * SessionAttributions}) to each valid event and each list shown, keeps the session's figures in
 * {@value #SESSIONS_STORE}, and keeps this task's sums per experiment, variant and window in
 * {@value #PARTIALS_STORE}, updated by the difference each event makes to its session's
 * contribution (exact, O(1) per event: the session's state is bounded by the last N lists, the
 * recent event ids and order ids).
 *
 * <p>Every {@code insession.experiments.emit.interval.ms} (wall clock) it forwards each sum that
 * changed, with this task's id, keyed by experiment id, for {@link KpiMergeProcessor} to add up the
 * tasks. The sums are cumulative, so a later partial of a task replaces its earlier ones and a
 * partial sent twice changes nothing; after a restart or a rebalance every sum is sent once again.
 * Windows older than the retained ones are dropped.
 *
 * <p>A session ends, as in the scoring processor, after the session gap without events: by event
 * time for what belongs to it (a later event starts a new session) and by the wall clock for its
 * state (removed when idle for the gap). A forgotten session is removed when its tombstone list
 * arrives (after its last list); what it added to the sums stays (they hold no personal data). A
 * session whose cohort window was dropped keeps adding to the figures since start only.
 */
final class AttributionProcessor implements Processor<String, ExperimentInput, String, KpiPartial> {

  static final String SESSIONS_STORE = "experiment-attribution";
  static final String PARTIALS_STORE = "experiment-partials";

  private final CurrentVariants variants;
  private final ExperimentSettings settings;
  private final long sessionGapMs;
  private final long expiryScanIntervalMs;
  private final int recentEventIds;
  private final Clock clock;
  private final Set<String> changed = new LinkedHashSet<>();
  private ProcessorContext<String, KpiPartial> context;
  private KeyValueStore<String, SessionAttribution> sessions;
  private KeyValueStore<String, KpiPartial> partials;
  private String task;

  AttributionProcessor(
      final CurrentVariants variants,
      final ExperimentSettings settings,
      final long sessionGapMs,
      final long expiryScanIntervalMs,
      final int recentEventIds,
      final Clock clock) {
    this.variants = variants;
    this.settings = settings;
    this.sessionGapMs = sessionGapMs;
    this.expiryScanIntervalMs = expiryScanIntervalMs;
    this.recentEventIds = recentEventIds;
    this.clock = clock;
  }

  @Override
  public void init(final ProcessorContext<String, KpiPartial> context) {
    this.context = context;
    this.sessions = context.getStateStore(SESSIONS_STORE);
    this.partials = context.getStateStore(PARTIALS_STORE);
    this.task = context.taskId().toString();
    // after a restart or a rebalance, send every sum once: what was changed before is not known
    try (KeyValueIterator<String, KpiPartial> all = partials.all()) {
      all.forEachRemaining(entry -> changed.add(entry.key));
    }
    context.schedule(
        Duration.ofMillis(settings.emitIntervalMs()),
        PunctuationType.WALL_CLOCK_TIME,
        now -> emitChanged(now));
    context.schedule(
        Duration.ofMillis(expiryScanIntervalMs),
        PunctuationType.WALL_CLOCK_TIME,
        now -> expireIdleSessions());
  }

  @Override
  public void process(final Record<String, ExperimentInput> record) {
    final String sessionId = record.key();
    if (sessionId == null) {
      return;
    }
    final Instant now = clock.instant();
    final SessionAttribution stored = sessions.get(sessionId);
    if (record.value() instanceof ExperimentInput.Shown shown) {
      final RecommendationList list = shown.list();
      if (list == null) {
        forget(sessionId, stored);
        return;
      }
      final SessionAttribution before = current(stored, list.getTriggerEventTime(), now);
      update(
          sessionId,
          before,
          SessionAttributions.shown(before, list, variants.get().salt(), settings, now));
    } else if (record.value() instanceof ExperimentInput.Event in) {
      final WeblogEvent event = in.event();
      if (EventSemantics.forgetsSession(event.getEventType())) {
        // the tombstone list that follows the session's last list removes it (lists of events
        // still in the micro-batch may come after this control record)
        return;
      }
      final SessionAttribution before = current(stored, event.getEventTime(), now);
      if (SessionAttributions.seen(before, event)) {
        return;
      }
      update(sessionId, before, SessionAttributions.after(before, event, recentEventIds, now));
    }
  }

  /** The session {@code at} belongs to: the stored one, or a new one after the gap. */
  private SessionAttribution current(
      final SessionAttribution stored, final Instant at, final Instant now) {
    return stored != null && SessionAttributions.continues(stored, at, sessionGapMs)
        ? stored
        : SessionAttributions.start(at, now);
  }

  private void forget(final String sessionId, final SessionAttribution stored) {
    if (stored != null) {
      sessions.delete(sessionId);
    }
  }

  /** Stores the session and adds what it changed to its variant's sums (window and since start). */
  private void update(
      final String sessionId, final SessionAttribution before, final SessionAttribution after) {
    sessions.put(sessionId, after);
    final Contribution delta = Contribution.of(after).minus(Contribution.of(before));
    if (after.getVariant() == null || delta.isZero()) {
      return;
    }
    add(after, null, delta);
    add(after, after.getCohortStart(), delta);
  }

  private void add(
      final SessionAttribution session, final Instant window, final Contribution delta) {
    final String key =
        ExperimentKeys.partial(session.getExperimentId(), session.getVariant(), window);
    final KpiPartial stored = partials.get(key);
    if (stored == null && window != null && delta.sessions() == 0) {
      // the session's cohort window is older than the retained ones and was dropped
      return;
    }
    final KpiPartial base =
        stored != null
            ? stored
            : KpiPartial.newBuilder()
                .setExperimentId(session.getExperimentId())
                .setVariant(session.getVariant())
                .setWindowStart(window)
                .setTask(task)
                .build();
    partials.put(key, delta.addTo(base));
    changed.add(key);
  }

  /** Forwards every sum changed since the last time, then drops windows no longer retained. */
  private void emitChanged(final long now) {
    for (final String key : changed) {
      final KpiPartial partial = partials.get(key);
      if (partial != null) {
        context.forward(
            new Record<>(
                partial.getExperimentId(),
                KpiPartial.newBuilder(partial).setTask(task).build(),
                now));
      }
    }
    changed.clear();
    dropOldWindows();
  }

  /** Removes the sums of windows older than the retained ones (by the newest window of each). */
  private void dropOldWindows() {
    final Map<String, Long> newest = new HashMap<>();
    final List<KeyValue<String, KpiPartial>> windowed = new ArrayList<>();
    try (KeyValueIterator<String, KpiPartial> all = partials.all()) {
      while (all.hasNext()) {
        final KeyValue<String, KpiPartial> entry = all.next();
        final Instant window = entry.value.getWindowStart();
        if (window != null) {
          windowed.add(entry);
          newest.merge(entry.value.getExperimentId(), window.toEpochMilli(), Math::max);
        }
      }
    }
    for (final KeyValue<String, KpiPartial> entry : windowed) {
      final long oldest =
          newest.get(entry.value.getExperimentId())
              - (settings.windowsRetained() - 1) * settings.windowMs();
      if (entry.value.getWindowStart().toEpochMilli() < oldest) {
        partials.delete(entry.key);
      }
    }
  }

  /** Removes the sessions this processor has not seen for the gap (wall clock). */
  private void expireIdleSessions() {
    final long cutoff = clock.millis() - sessionGapMs;
    final List<String> idle = new ArrayList<>();
    try (KeyValueIterator<String, SessionAttribution> all = sessions.all()) {
      while (all.hasNext()) {
        final KeyValue<String, SessionAttribution> entry = all.next();
        if (entry.value.getLastSeenAt().toEpochMilli() < cutoff) {
          idle.add(entry.key);
        }
      }
    }
    idle.forEach(sessions::delete);
  }
}
