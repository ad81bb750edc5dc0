package io.insession.api;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Counts what each client (address) holds open, within a limit per client: the push streams. A
 * client's entry is removed with its last slot, so the map holds clients with open streams only.
 * Thread-safe.
 */
final class ClientSlots {

  private final int maxPerClient;
  private final ConcurrentHashMap<String, Integer> held = new ConcurrentHashMap<>();

  ClientSlots(final int maxPerClient) {
    if (maxPerClient < 1) {
      throw new IllegalArgumentException("maxPerClient must be >= 1: " + maxPerClient);
    }
    this.maxPerClient = maxPerClient;
  }

  /** One slot held; closing it (more than once is fine) gives it back. */
  interface Slot extends AutoCloseable {
    @Override
    void close();
  }

  /** A slot of {@code client}, or empty when it holds {@code maxPerClient} already. */
  Optional<Slot> acquire(final String client) {
    final boolean[] granted = new boolean[1];
    held.compute(
        client,
        (c, count) -> {
          final int now = count == null ? 0 : count;
          granted[0] = now < maxPerClient;
          return granted[0] ? now + 1 : count;
        });
    if (!granted[0]) {
      return Optional.empty();
    }
    final AtomicBoolean released = new AtomicBoolean();
    return Optional.of(
        () -> {
          if (released.compareAndSet(false, true)) {
            held.computeIfPresent(client, (c, count) -> count <= 1 ? null : count - 1);
          }
        });
  }

  /** Slots {@code client} holds now. */
  int held(final String client) {
    return held.getOrDefault(client, 0);
  }

  /** The most slots one client may hold. */
  int maxPerClient() {
    return maxPerClient;
  }
}
