package io.insession.api;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.WeblogEvent;
import io.insession.session.EventSemantics;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.Header;
import io.javalin.http.HttpStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *
 * <p>A waiting request holds no HTTP thread: the thread writes the events (until Kafka acknowledged
 * them), then the request becomes asynchronous ({@link Context#future}) and is answered by
 * whichever comes first: the source's thread handing over the last list the request waits for, or
 * its {@code wait_ms} running out (a timer). The answer is built and written on a small pool of its
 * own, never on the source's thread. At most {@code maxWaiting} requests wait at once; one more is
 * answered 503 {@code TOO_MANY_WAITING} with {@code Retry-After} before anything of it is written.
 * On shutdown ({@link #finishWaiting}) every waiting request is answered at once with what arrived
 * so far (the rest in {@code pending}) before the server stops, and later ones get 503 {@code
 * SHUTTING_DOWN}.
 */
public final class ReadYourWrites implements AutoCloseable, MeterBinder {

  /** Query parameter of {@code POST /v1/events}: how long to wait for the lists, in ms. */
  public static final String WAIT_PARAM = "wait_ms";

  /** Query parameter of the GET and stream routes that chooses the view. */
  public static final String ISOLATION_PARAM = "isolation";

  /** The value of {@link #ISOLATION_PARAM} that opts in to lists before their commit. */
  public static final String READ_UNCOMMITTED = "read_uncommitted";

  /** Longest wait a request may ask for. */
  public static final long MAX_WAIT_MS = 10_000L;

  /** {@code Retry-After} (seconds) of a wait refused because too many wait or the API stops. */
  static final long RETRY_AFTER_SECONDS = 1L;

  /** Threads that build and write the answers (short work: a JSON body of a few KB each). */
  private static final int ANSWER_THREADS = 2;

  private static final Logger LOG = LoggerFactory.getLogger(ReadYourWrites.class);

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

  private final RecommendationSource uncommitted;
  private final int maxWaiting;
  private final AtomicInteger count = new AtomicInteger();
  private final Set<Wait> waiting = ConcurrentHashMap.newKeySet();
  private final Object released = new Object();
  private final ScheduledThreadPoolExecutor timeouts;
  private final ExecutorService answers;
  private volatile boolean closing;
  private Counter refusedFull;
  private Counter refusedClosing;
  private Counter timedOut;

  /**
   * The view and the bound of waiting requests.
   *
   * @param uncommitted the read_uncommitted view; owned from now on (its push streams are the
   *     lookup API's, guarded and counted as the others)
   * @param maxWaiting the most requests waiting for their lists at once
   */
  ReadYourWrites(final RecommendationSource uncommitted, final int maxWaiting) {
    this.uncommitted = Objects.requireNonNull(uncommitted, "uncommitted");
    if (maxWaiting < 1) {
      throw new IllegalArgumentException("maxWaiting must be >= 1: " + maxWaiting);
    }
    this.maxWaiting = maxWaiting;
    this.timeouts =
        new ScheduledThreadPoolExecutor(1, RecommendationStreams.daemonThreads("ryw-timeout"));
    // most waits end with their list, long before the timer: drop their timers at once
    timeouts.setRemoveOnCancelPolicy(true);
    this.answers =
        Executors.newFixedThreadPool(
            ANSWER_THREADS, RecommendationStreams.daemonThreads("ryw-answer"));
  }

  /** The read_uncommitted view of the settings' topic, started. */
  static ReadYourWrites start(final LookupApiSettings settings) {
    final LatestRecommendations view = LatestRecommendations.uncommitted(settings);
    try {
      view.start();
      return new ReadYourWrites(
          view, settings.collector() == null ? 1 : settings.collector().maxWaiting());
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

  /** Requests waiting for their lists now (admitted and not yet answered). */
  int waiting() {
    return count.get();
  }

  /**
   * {@code POST /v1/events?wait_ms=N}: writes the events on the calling thread, then answers 202
   * {@link AcceptedWithLists} asynchronously, once every list arrived or after N ms. Answers 503
   * with {@code Retry-After} (nothing written) when {@code maxWaiting} requests wait already, when
   * the view serves no more subscribers, or when the API is stopping.
   *
   * @throws BadRequestResponse when {@code wait_ms} is not a number in 1..{@link #MAX_WAIT_MS}
   */
  void collect(final EventCollector collector, final Context ctx) {
    final Duration wait = waitOf(ctx.queryParam(WAIT_PARAM));
    final Wait watch = admit(ctx);
    if (watch == null) {
      return;
    }
    final EventCollector.Accepted accepted;
    try {
      accepted = collector.collect(ctx.body(), watch::watch);
    } catch (SessionSubscriptions.TooManySubscribersException e) {
      watch.release();
      refuse(ctx, "TOO_MANY_WAITING", e.getMessage() + "; retry, or post without " + WAIT_PARAM);
      return;
    } catch (RuntimeException e) {
      watch.release();
      throw e;
    }
    ctx.future(
        () -> {
          // Javalin started the asynchronous cycle before asking for the future
          ctx.req().getAsyncContext().addListener(watch);
          return watch.answer.thenAccept(answer -> ctx.status(HttpStatus.ACCEPTED).json(answer));
        });
    watch.written(accepted, wait);
  }

  /**
   * Stops taking new waits (503 {@code SHUTTING_DOWN} from now on) and answers every waiting
   * request at once with the lists that arrived (the others in {@code pending}); returns when their
   * answers went out, or after {@code within}.
   *
   * @return how many requests were still not answered after {@code within} (0 normally)
   */
  int finishWaiting(final Duration within) {
    closing = true;
    for (final Wait watch : List.copyOf(waiting)) {
      watch.finishNow();
    }
    final long deadline = System.nanoTime() + within.toNanos();
    synchronized (released) {
      while (!waiting.isEmpty()) {
        final long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(released, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    final int left = waiting.size();
    if (left > 0) {
      LOG.warn(
          "{} read-your-writes requests were not answered within {} on shutdown", left, within);
    }
    return left;
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

  @Override
  public void bindTo(final MeterRegistry registry) {
    Gauge.builder("insession.api.read.your.writes.waiting", count, AtomicInteger::get)
        .description("POST /v1/events?wait_ms requests waiting for their lists now")
        .register(registry);
    refusedFull = refusedCounter(registry, "TOO_MANY_WAITING");
    refusedClosing = refusedCounter(registry, "SHUTTING_DOWN");
    timedOut =
        Counter.builder("insession.api.read.your.writes.timed.out")
            .description(
                "POST /v1/events?wait_ms requests answered with events in pending (the wait ran"
                    + " out or the API stopped)")
            .register(registry);
  }

  private static Counter refusedCounter(final MeterRegistry registry, final String reason) {
    return Counter.builder("insession.api.read.your.writes.refused")
        .description("POST /v1/events?wait_ms requests answered 503 before anything was written")
        .tag("reason", reason)
        .register(registry);
  }

  /** A slot for one more waiting request, or null when refused (then answered here). */
  private Wait admit(final Context ctx) {
    if (closing) {
      refuse(ctx, "SHUTTING_DOWN", "this lookup API instance is shutting down; retry");
      return null;
    }
    if (count.getAndUpdate(c -> c < maxWaiting ? c + 1 : c) >= maxWaiting) {
      refuse(
          ctx,
          "TOO_MANY_WAITING",
          "too many requests wait for their lists (at most "
              + maxWaiting
              + " per instance, insession.api.collector.wait.max.requests); retry, or post"
              + " without "
              + WAIT_PARAM);
      return null;
    }
    final Wait watch = new Wait();
    waiting.add(watch);
    if (closing) {
      // finishWaiting may have looked before this one was added
      watch.release();
      refuse(ctx, "SHUTTING_DOWN", "this lookup API instance is shutting down; retry");
      return null;
    }
    return watch;
  }

  private void refuse(final Context ctx, final String code, final String message) {
    count("SHUTTING_DOWN".equals(code) ? refusedClosing : refusedFull);
    ctx.header(Header.RETRY_AFTER, Long.toString(RETRY_AFTER_SECONDS))
        .status(HttpStatus.SERVICE_UNAVAILABLE)
        .json(new LookupApi.ErrorBody(message, code, true, null));
  }

  private static void count(final Counter counter) {
    if (counter != null) {
      counter.increment();
    }
  }

  /**
   * The lists one request waits for: subscribed before its events are written, answered once by
   * whichever comes first (the last list, the timer, shutdown), its slot released when the HTTP
   * exchange ended.
   */
  private final class Wait implements AsyncListener {
    /** Event id to session id, in request order: the events that trigger a list. */
    private final Map<String, String> wanted = new LinkedHashMap<>();

    private final Map<String, RecommendationList> found = new ConcurrentHashMap<>();
    private final List<SessionSubscriptions.Subscription> subscriptions =
        new CopyOnWriteArrayList<>();
    private final AtomicInteger remaining = new AtomicInteger();
    private final AtomicBoolean finished = new AtomicBoolean();
    private final AtomicBoolean slotReleased = new AtomicBoolean();
    final CompletableFuture<AcceptedWithLists> answer = new CompletableFuture<>();
    private volatile EventCollector.Accepted accepted;
    private volatile boolean hurry;
    private volatile ScheduledFuture<?> timer;

    /** Before the write (HTTP thread): subscribes to the sessions of the list-triggering events. */
    void watch(final List<WeblogEvent> events) {
      for (final WeblogEvent event : events) {
        if (EventSemantics.advancesModel(event.getEventType())) {
          wanted.putIfAbsent(event.getEventId(), event.getSessionId());
        }
      }
      remaining.set(wanted.size());
      for (final String sessionId : new LinkedHashSet<>(wanted.values())) {
        subscriptions.add(uncommitted.subscribe(sessionId, list -> arrived(sessionId, list)));
      }
    }

    /** From the source's thread (or the HTTP thread for lists already there): must not block. */
    private void arrived(final String sessionId, final RecommendationList list) {
      final String trigger = list.getTriggerEventId();
      if (sessionId.equals(wanted.get(trigger))
          && found.putIfAbsent(trigger, list) == null
          && remaining.decrementAndGet() == 0
          && accepted != null) {
        finishSoon();
      }
    }

    /** After the write (HTTP thread): the lists already there count, then the timer runs. */
    void written(final EventCollector.Accepted done, final Duration wait) {
      accepted = done;
      // a retried event triggers no new list: its first list may be the session's latest
      for (final Map.Entry<String, String> event : wanted.entrySet()) {
        uncommitted.latest(event.getValue()).ifPresent(list -> arrived(event.getValue(), list));
      }
      if (remaining.get() == 0 || hurry) {
        finishSoon();
        return;
      }
      try {
        timer = timeouts.schedule(this::finishSoon, wait.toNanos(), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        finishSoon();
        return;
      }
      if (finished.get()) {
        timer.cancel(false);
      }
    }

    /** On shutdown: answer now, or as soon as the events are written. */
    void finishNow() {
      hurry = true;
      if (accepted != null) {
        finishSoon();
      }
    }

    /** Answers once, on the answer pool (never on the source's or the timer's thread). */
    private void finishSoon() {
      if (!finished.compareAndSet(false, true)) {
        return;
      }
      try {
        answers.execute(this::finish);
      } catch (RejectedExecutionException e) {
        finish();
      }
    }

    private void finish() {
      final ScheduledFuture<?> scheduled = timer;
      if (scheduled != null) {
        scheduled.cancel(false);
      }
      subscriptions.forEach(SessionSubscriptions.Subscription::close);
      final List<RecommendationView> views = new ArrayList<>();
      final List<String> pending = new ArrayList<>();
      for (final String eventId : wanted.keySet()) {
        final RecommendationList list = found.get(eventId);
        if (list == null) {
          pending.add(eventId);
        } else {
          views.add(RecommendationView.from(list));
        }
      }
      if (!pending.isEmpty()) {
        count(timedOut);
      }
      final EventCollector.Accepted done = accepted;
      answer.complete(new AcceptedWithLists(done.accepted(), done.eventIds(), views, pending));
    }

    /** Frees the slot (idempotent): the exchange ended, or the request failed before it waited. */
    void release() {
      if (!slotReleased.compareAndSet(false, true)) {
        return;
      }
      finished.set(true);
      final ScheduledFuture<?> scheduled = timer;
      if (scheduled != null) {
        scheduled.cancel(false);
      }
      subscriptions.forEach(SessionSubscriptions.Subscription::close);
      waiting.remove(this);
      count.decrementAndGet();
      synchronized (released) {
        released.notifyAll();
      }
    }

    @Override
    public void onComplete(final AsyncEvent event) {
      release();
    }

    @Override
    public void onError(final AsyncEvent event) {
      // the client went away: nothing to answer any more
      release();
    }

    @Override
    public void onTimeout(final AsyncEvent event) {
      // the container's async timeout (off by default): answer with what arrived
      finishSoon();
    }

    @Override
    public void onStartAsync(final AsyncEvent event) {
      // one asynchronous cycle per request
    }
  }

  /**
   * Stops the timers and the answer pool, answering any request still waiting on the calling
   * thread, then the view.
   */
  @Override
  public void close() {
    closing = true;
    timeouts.shutdownNow();
    answers.shutdown();
    for (final Wait watch : List.copyOf(waiting)) {
      watch.finishNow();
    }
    uncommitted.close();
  }
}
