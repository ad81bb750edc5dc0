package io.insession.api;

import io.insession.schemas.RecommendationList;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who listens for new lists of which session: session id to a set of listeners, bounded in total.
 *
 * <p>Thread-safe: the consumer thread publishes while HTTP threads subscribe and unsubscribe. A
 * session's entry is removed with its last listener, so the map holds watched sessions only.
 * Listeners run on the publishing thread and must not block (hand the list to another thread); one
 * that throws is logged and the others still get the list.
 */
public final class SessionSubscriptions {

  private static final Logger LOG = LoggerFactory.getLogger(SessionSubscriptions.class);

  private final int maxSubscribers;
  private final ConcurrentHashMap<String, Set<Listener>> bySession = new ConcurrentHashMap<>();
  private final AtomicInteger count = new AtomicInteger();

  /**
   * An empty registry.
   *
   * @param maxSubscribers most subscriptions open at once
   */
  public SessionSubscriptions(final int maxSubscribers) {
    if (maxSubscribers < 1) {
      throw new IllegalArgumentException("maxSubscribers must be >= 1: " + maxSubscribers);
    }
    this.maxSubscribers = maxSubscribers;
  }

  /** An open subscription; closing it (more than once is fine) stops the deliveries. */
  public interface Subscription extends AutoCloseable {
    @Override
    void close();
  }

  /** Thrown by {@link #subscribe} when the registry is full. */
  public static final class TooManySubscribersException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooManySubscribersException(final int max) {
      super("too many open streams (at most " + max + " per instance)");
    }
  }

  /**
   * Registers {@code listener} for the new lists of {@code sessionId}. The same listener may be
   * registered more than once; each registration is its own subscription.
   *
   * @return the subscription, to close when the listener is done
   * @throws TooManySubscribersException when {@code maxSubscribers} are open already
   */
  public Subscription subscribe(
      final String sessionId, final Consumer<RecommendationList> listener) {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(listener, "listener");
    if (count.getAndUpdate(c -> c < maxSubscribers ? c + 1 : c) >= maxSubscribers) {
      throw new TooManySubscribersException(maxSubscribers);
    }
    final Listener entry = new Listener(sessionId, listener);
    bySession.compute(
        sessionId,
        (id, set) -> {
          final Set<Listener> listeners = set == null ? ConcurrentHashMap.newKeySet() : set;
          listeners.add(entry);
          return listeners;
        });
    return entry;
  }

  /** Hands {@code list} to every listener of {@code sessionId}, on the calling thread. */
  public void publish(final String sessionId, final RecommendationList list) {
    final Set<Listener> listeners = bySession.get(sessionId);
    if (listeners == null) {
      return;
    }
    for (final Listener listener : listeners) {
      try {
        listener.target.accept(list);
      } catch (RuntimeException e) {
        LOG.warn("A listener of session {} failed: {}", sessionId, e.toString());
      }
    }
  }

  /** Subscriptions open now. */
  public int size() {
    return count.get();
  }

  /** Sessions with at least one open subscription now. */
  public int sessions() {
    return bySession.size();
  }

  /** The most subscriptions open at once. */
  public int maxSubscribers() {
    return maxSubscribers;
  }

  private void remove(final Listener entry) {
    bySession.computeIfPresent(
        entry.sessionId,
        (id, set) -> {
          set.remove(entry);
          return set.isEmpty() ? null : set;
        });
    count.decrementAndGet();
  }

  /** One registration; identity matters, not the listener's equality. */
  private final class Listener implements Subscription {
    private final String sessionId;
    private final Consumer<RecommendationList> target;
    private final AtomicBoolean closed = new AtomicBoolean();

    Listener(final String sessionId, final Consumer<RecommendationList> target) {
      this.sessionId = sessionId;
      this.target = target;
    }

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        remove(this);
      }
    }
  }
}
