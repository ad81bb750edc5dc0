package io.insession.api;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.WeblogEvent;
import io.insession.session.EventSemantics;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.ServiceUnavailableResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Read-your-writes for the frontend (docs/read-your-writes.md): the lists of the recommendations
 * topic as soon as the stream wrote them, before the exactly-once commit ({@code
 * isolation.level=read_uncommitted}), for callers that opt in.
 *
 * <ul>
 *   <li>{@code POST /v1/events?wait_ms=N}: the collector writes the events as always, then waits up
 *       to N ms for the list each of them triggered and answers with those lists ({@link
 *       AcceptedWithLists}); events without a list in time are named in {@code pending}.
 *   <li>{@code GET .../recommendations?isolation=read_uncommitted} and the same on {@code
 *       .../stream}: the latest list (the pushed lists) of that view instead of the committed one.
 * </ul>
 *
 * <p>A list seen here may belong to a transaction that is later aborted (the stream crashed before
 * its commit). The stream then scores the same events again from the same committed state, and the
 * scorer is deterministic, so the list that is committed in the end carries the same items,
 * recommendation id and trigger event: a caller may show it. What a caller may not rely on: that
 * the list is already committed (a read_committed consumer may see it later, and a restarted stream
 * emits it a second time: the {@code recommendationId} is the same, so de-duplicate on it), nor on
 * its {@code emittedAt}, which is the time of whichever emission it saw.
 *
 * <p>The watcher of a request subscribes to its sessions before the events are written, so a list
 * cannot slip by between the write and the wait.
 */
public final class ReadYourWrites implements AutoCloseable {

  /** Query parameter of {@code POST /v1/events}: how long to wait for the lists, in ms. */
  public static final String WAIT_PARAM = "wait_ms";

  /** Query parameter of the GET and stream routes that chooses the view. */
  public static final String ISOLATION_PARAM = "isolation";

  /** The value of {@link #ISOLATION_PARAM} that opts in to lists before their commit. */
  public static final String READ_UNCOMMITTED = "read_uncommitted";

  /** Longest wait a request may ask for. */
  public static final long MAX_WAIT_MS = 10_000L;

  /**
   * The answer to an accepted request that waited for its lists.
   *
   * @param accepted how many events were written
   * @param eventIds their ids, given or generated, in request order
   * @param recommendations the list each event triggered, in request order, for those whose list
   *     arrived within the wait
   * @param pending the ids of the events that trigger a list but whose list did not arrive in time
   *     (events that advance no model, such as a search without item, trigger none)
   */
  @JsonPropertyOrder({"accepted", "eventIds", "recommendations", "pending"})
  public record AcceptedWithLists(
      int accepted,
      List<String> eventIds,
      List<RecommendationView> recommendations,
      List<String> pending) {
    /** Copies the lists. */
    public AcceptedWithLists {
      eventIds = List.copyOf(eventIds);
      recommendations = List.copyOf(recommendations);
      pending = List.copyOf(pending);
    }
  }

  private final LatestRecommendations uncommitted;

  /** The view (its push streams are the lookup API's, guarded and counted as the others). */
  ReadYourWrites(final LatestRecommendations uncommitted) {
    this.uncommitted = Objects.requireNonNull(uncommitted, "uncommitted");
  }

  /** The read_uncommitted view of the settings' topic, started. */
  static ReadYourWrites start(final LookupApiSettings settings) {
    final LatestRecommendations view = LatestRecommendations.uncommitted(settings);
    try {
      view.start();
      return new ReadYourWrites(view);
    } catch (RuntimeException e) {
      view.close();
      throw e;
    }
  }

  /** Whether the request opts in to the read_uncommitted view. */
  static boolean wanted(final Context ctx) {
    final String isolation = ctx.queryParam(ISOLATION_PARAM);
    if (isolation == null || "read_committed".equals(isolation)) {
      return false;
    }
    if (READ_UNCOMMITTED.equals(isolation)) {
      return true;
    }
    throw new BadRequestResponse(
        ISOLATION_PARAM + " must be read_committed or " + READ_UNCOMMITTED + ", not " + isolation);
  }

  /** Whether a {@code POST /v1/events} asks to wait for its lists. */
  static boolean waits(final Context ctx) {
    return ctx.queryParam(WAIT_PARAM) != null;
  }

  /** The read_uncommitted view, for GET. */
  RecommendationSource source() {
    return uncommitted;
  }

  /** {@code POST /v1/events?wait_ms=N}. */
  AcceptedWithLists collect(final EventCollector collector, final Context ctx) {
    return collect(collector, ctx.body(), waitOf(ctx.queryParam(WAIT_PARAM)));
  }

  /**
   * Collects the events of {@code body} and waits up to {@code wait} for the list each triggers.
   *
   * @throws ServiceUnavailableResponse when no more subscribers are allowed; nothing was written
   */
  AcceptedWithLists collect(
      final EventCollector collector, final String body, final Duration wait) {
    try (Watch watch = new Watch()) {
      final EventCollector.Accepted accepted = collector.collect(body, watch::watch);
      final Map<String, RecommendationList> lists = watch.await(wait);
      final List<RecommendationView> views = new ArrayList<>();
      final List<String> pending = new ArrayList<>();
      for (final String eventId : watch.wanted.keySet()) {
        final RecommendationList list = lists.get(eventId);
        if (list == null) {
          pending.add(eventId);
        } else {
          views.add(RecommendationView.from(list));
        }
      }
      return new AcceptedWithLists(accepted.accepted(), accepted.eventIds(), views, pending);
    }
  }

  static Duration waitOf(final String value) {
    final long ms;
    try {
      ms = Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new BadRequestResponse(WAIT_PARAM + " must be a number of ms, not " + value);
    }
    if (ms < 1 || ms > MAX_WAIT_MS) {
      throw new BadRequestResponse(
          WAIT_PARAM + " must be between 1 and " + MAX_WAIT_MS + " ms, not " + ms);
    }
    return Duration.ofMillis(ms);
  }

  /** The lists one request waits for: subscribed before its events are written. */
  private final class Watch implements AutoCloseable {
    /** Event id to session id, in request order: the events that trigger a list. */
    private final Map<String, String> wanted = new LinkedHashMap<>();

    private final Map<String, RecommendationList> found = new ConcurrentHashMap<>();
    private final List<SessionSubscriptions.Subscription> subscriptions = new ArrayList<>();
    private CountDownLatch remaining = new CountDownLatch(0);

    void watch(final List<WeblogEvent> events) {
      for (final WeblogEvent event : events) {
        if (EventSemantics.advancesModel(event.getEventType())) {
          wanted.putIfAbsent(event.getEventId(), event.getSessionId());
        }
      }
      remaining = new CountDownLatch(wanted.size());
      try {
        for (final String sessionId : new LinkedHashSet<>(wanted.values())) {
          subscriptions.add(uncommitted.subscribe(sessionId, list -> arrived(sessionId, list)));
        }
      } catch (SessionSubscriptions.TooManySubscribersException e) {
        throw new ServiceUnavailableResponse(e.getMessage());
      }
    }

    private void arrived(final String sessionId, final RecommendationList list) {
      final String trigger = list.getTriggerEventId();
      if (sessionId.equals(wanted.get(trigger)) && found.putIfAbsent(trigger, list) == null) {
        remaining.countDown();
      }
    }

    Map<String, RecommendationList> await(final Duration wait) {
      // a retried event triggers no new list: its first list may be the session's latest
      for (final Map.Entry<String, String> event : wanted.entrySet()) {
        uncommitted.latest(event.getValue()).ifPresent(list -> arrived(event.getValue(), list));
      }
      try {
        remaining.await(wait.toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return Map.copyOf(found);
    }

    @Override
    public void close() {
      subscriptions.forEach(SessionSubscriptions.Subscription::close);
    }
  }

  @Override
  public void close() {
    uncommitted.close();
  }
}
