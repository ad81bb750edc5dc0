package io.insession.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.insession.http.HttpGuard;
import io.insession.http.Refusal;
import io.insession.schemas.RecommendationList;
import io.javalin.http.Context;
import io.javalin.http.Header;
import io.javalin.http.HttpStatus;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The push stream {@code GET /v1/sessions/{sessionId}/recommendations/stream}, in Server-Sent
 * Events (Javalin's {@link SseHandler}).
 *
 * <p>A client first gets the session's latest list, if one is known, then every new one as the
 * source reads it, each as an event {@code recommendations} with {@code id} = the recommendation id
 * and the {@link RecommendationView} JSON as data (one line). A comment line goes to every open
 * stream each heartbeat period, so that proxies keep it open and a client that went away is noticed
 * (its subscription is then dropped).
 *
 * <p>The source's thread only queues lists: each stream has its own queue, drained by a small
 * shared pool, so a slow client never holds up the source or another client. A stream whose queue
 * overflows is closed (a reconnecting client gets the latest list again). The number of open
 * streams is bounded per client address ({@link ClientSlots}; one more is answered 429) and by the
 * source for the whole instance ({@link SessionSubscriptions}; one more is answered 503).
 */
final class RecommendationStreams implements AutoCloseable {

  /** The SSE event name of a list. */
  static final String EVENT = "recommendations";

  /** Lists queued for one client before it is considered stuck and closed. */
  static final int MAX_QUEUED = 256;

  private static final Logger LOG = LoggerFactory.getLogger(RecommendationStreams.class);
  private static final String EVENT_STREAM = "text/event-stream";
  private static final int SENDER_THREADS = 4;

  private final RecommendationSource source;
  private final ObjectMapper mapper;
  private final Set<Stream> open = ConcurrentHashMap.newKeySet();
  private final ExecutorService senders;
  private final ScheduledExecutorService heartbeats;
  private final ClientSlots perClient;
  private final HttpGuard guard;

  /**
   * The push streams of {@code source}.
   *
   * @param perClient the open streams per client address, within its limit
   * @param guard answers and counts a client's refusal (429 over its limit)
   */
  RecommendationStreams(
      final RecommendationSource source,
      final PushSettings settings,
      final ObjectMapper mapper,
      final ClientSlots perClient,
      final HttpGuard guard) {
    this.source = Objects.requireNonNull(source, "source");
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    this.perClient = Objects.requireNonNull(perClient, "perClient");
    this.guard = Objects.requireNonNull(guard, "guard");
    this.senders = Executors.newFixedThreadPool(SENDER_THREADS, daemonThreads("sse-sender"));
    this.heartbeats = Executors.newSingleThreadScheduledExecutor(daemonThreads("sse-heartbeat"));
    final long period = settings.heartbeat().toMillis();
    heartbeats.scheduleAtFixedRate(this::beat, period, period, TimeUnit.MILLISECONDS);
  }

  /** Streams open now. */
  int openStreams() {
    return open.size();
  }

  /** Handles one stream request; answers 406 or 503 in JSON when it cannot stream. */
  void handle(final Context ctx) {
    final String sessionId = ctx.pathParam("sessionId");
    if (!EVENT_STREAM.equals(ctx.header(Header.ACCEPT))) {
      ctx.status(HttpStatus.NOT_ACCEPTABLE)
          .json(
              new LookupApi.ErrorBody(
                  "this is a Server-Sent-Events stream: send Accept: " + EVENT_STREAM,
                  "NOT_ACCEPTABLE",
                  false,
                  sessionId));
      return;
    }
    final Optional<ClientSlots.Slot> slot = perClient.acquire(ctx.ip());
    if (slot.isEmpty()) {
      guard.refuse(
          ctx,
          Refusal.TOO_MANY_STREAMS_PER_CLIENT,
          "too many open streams from this address (at most "
              + perClient.maxPerClient()
              + ", insession.api.stream.max.per.client)");
      return;
    }
    final Stream stream = new Stream(sessionId, slot.get());
    final SessionSubscriptions.Subscription subscription;
    try {
      subscription = source.subscribe(sessionId, stream);
    } catch (SessionSubscriptions.TooManySubscribersException e) {
      slot.get().close();
      ctx.status(HttpStatus.SERVICE_UNAVAILABLE)
          .json(new LookupApi.ErrorBody(e.getMessage(), "TOO_MANY_STREAMS", true, sessionId));
      return;
    }
    stream.subscription = subscription;
    try {
      new SseHandler(client -> stream.attach(client)).handle(ctx);
    } catch (RuntimeException e) {
      stream.closed();
      throw e;
    }
  }

  /** Closes every open stream and stops the threads. */
  @Override
  public void close() {
    heartbeats.shutdownNow();
    for (final Stream stream : List.copyOf(open)) {
      stream.closeClient();
    }
    senders.shutdownNow();
  }

  private void beat() {
    for (final Stream stream : open) {
      stream.offer(Stream.HEARTBEAT);
    }
  }

  private String json(final RecommendationList list) {
    try {
      return mapper.writeValueAsString(RecommendationView.from(list));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a recommendation list as JSON", e);
    }
  }

  /**
   * Daemon threads named {@code prefix-1}, {@code prefix-2}, ... (also {@link ReadYourWrites}').
   */
  static ThreadFactory daemonThreads(final String prefix) {
    final AtomicInteger n = new AtomicInteger();
    return runnable -> {
      final Thread thread = new Thread(runnable, prefix + "-" + n.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /**
   * One client's stream. Lists (and heartbeats) are queued until the client is attached, then sent
   * in order by at most one sender thread at a time. A list with the id of the one queued last is
   * skipped, so the initial list and a list published while the stream was being set up are not
   * sent twice.
   */
  private final class Stream implements Consumer<RecommendationList> {
    static final Object HEARTBEAT = new Object();

    private final String sessionId;
    private final ClientSlots.Slot slot;
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private volatile SessionSubscriptions.Subscription subscription;
    private SseClient client;
    private String lastQueuedId;
    private boolean draining;
    private boolean done;

    Stream(final String sessionId, final ClientSlots.Slot slot) {
      this.sessionId = sessionId;
      this.slot = slot;
    }

    /** From the source's thread: a new list of this session. */
    @Override
    public void accept(final RecommendationList list) {
      offer(list);
    }

    /** From Javalin once the stream's headers went out: send the latest list, then what comes. */
    void attach(final SseClient sseClient) {
      sseClient.keepAlive();
      sseClient.onClose(this::closed);
      open.add(this);
      source.latest(sessionId).ifPresent(this::offer);
      synchronized (this) {
        client = sseClient;
      }
      LOG.debug("Stream of session {} opened ({} open)", sessionId, open.size());
      startDraining();
    }

    void offer(final Object item) {
      boolean overflow = false;
      synchronized (this) {
        if (done) {
          return;
        }
        if (item instanceof RecommendationList list) {
          if (list.getRecommendationId().equals(lastQueuedId)) {
            return;
          }
          lastQueuedId = list.getRecommendationId();
        } else if (client == null) {
          return; // no heartbeat before the stream started
        }
        if (queue.size() >= MAX_QUEUED) {
          LOG.warn("Stream of session {} is {} lists behind; closing it", sessionId, queue.size());
          queue.clear();
          done = true;
          overflow = true;
        } else {
          queue.add(item);
        }
      }
      if (overflow) {
        closeClient();
      } else {
        startDraining();
      }
    }

    private void startDraining() {
      synchronized (this) {
        if (draining || client == null || queue.isEmpty() || done) {
          return;
        }
        draining = true;
      }
      try {
        senders.execute(this::drain);
      } catch (RejectedExecutionException e) {
        closed(); // shutting down
      }
    }

    private void drain() {
      while (true) {
        final Object item;
        final SseClient target;
        synchronized (this) {
          item = queue.poll();
          if (item == null || done) {
            draining = false;
            return;
          }
          target = client;
        }
        try {
          if (item == HEARTBEAT) {
            target.sendComment("heartbeat");
          } else {
            final RecommendationList list = (RecommendationList) item;
            target.sendEvent(EVENT, json(list), list.getRecommendationId());
          }
        } catch (RuntimeException e) {
          LOG.debug("Stream of session {} failed: {}", sessionId, e.toString());
          target.close();
        }
        if (target.terminated()) {
          synchronized (this) {
            draining = false;
          }
          return;
        }
      }
    }

    /** Closes the client, which ends the HTTP response and calls {@link #closed()}. */
    void closeClient() {
      final SseClient target;
      synchronized (this) {
        target = client;
      }
      if (target == null) {
        closed();
      } else {
        target.close();
      }
    }

    /** The stream ended: drop the subscription and whatever was still queued. */
    void closed() {
      synchronized (this) {
        done = true;
        queue.clear();
      }
      open.remove(this);
      slot.close();
      final SessionSubscriptions.Subscription sub = subscription;
      if (sub != null) {
        sub.close();
      }
      LOG.debug("Stream of session {} closed ({} open)", sessionId, open.size());
    }
  }
}
