package io.insession.api;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A Server-Sent-Events client for tests: java.net.http with a line subscriber that parses the
 * stream into events as the lines arrive.
 */
final class SseTestClient implements AutoCloseable {

  /** One event as received. */
  record Event(String event, String id, String data) {}

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final AtomicInteger comments = new AtomicInteger();
  private final AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
  private final AtomicInteger status = new AtomicInteger(-1);
  private final CompletableFuture<HttpResponse<Void>> response;

  /** Connects to {@code path} on localhost:{@code port} with {@code Accept: text/event-stream}. */
  SseTestClient(final int port, final String path) {
    this(port, path, new String[0]);
  }

  /**
   * Connects to {@code path} on localhost:{@code port} with {@code Accept: text/event-stream} and
   * {@code headers} (name, value, name, value, ...).
   */
  SseTestClient(final int port, final String path, final String... headers) {
    final HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .header("Accept", "text/event-stream")
            .GET();
    if (headers.length > 0) {
      builder.headers(headers);
    }
    final HttpRequest request = builder.build();
    response =
        client.sendAsync(
            request,
            info -> {
              status.set(info.statusCode());
              return HttpResponse.BodySubscribers.fromLineSubscriber(new Lines());
            });
  }

  /** The events received so far, in order. */
  List<Event> events() {
    return List.copyOf(events);
  }

  /** The comment lines (heartbeats) received so far. */
  int comments() {
    return comments.get();
  }

  /** The HTTP status, once the headers arrived; -1 before. */
  int status() {
    return status.get();
  }

  /** Whether the server ended the response. */
  boolean ended() {
    return response.isDone();
  }

  /** Hangs up. */
  @Override
  public void close() {
    final Flow.Subscription s = subscription.get();
    if (s != null) {
      s.cancel();
    }
    response.cancel(true);
  }

  /** Parses lines into events: fields until a blank line; comments start with ':'. */
  private final class Lines implements Flow.Subscriber<String> {
    private final List<String> data = new ArrayList<>();
    private String event;
    private String id;

    @Override
    public void onSubscribe(final Flow.Subscription s) {
      subscription.set(s);
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(final String line) {
      if (line.isEmpty()) {
        if (event != null || !data.isEmpty()) {
          events.add(new Event(event == null ? "message" : event, id, String.join("\n", data)));
        }
        event = null;
        id = null;
        data.clear();
      } else if (line.startsWith(":")) {
        comments.incrementAndGet();
      } else if (line.startsWith("event:")) {
        event = line.substring("event:".length()).trim();
      } else if (line.startsWith("id:")) {
        id = line.substring("id:".length()).trim();
      } else if (line.startsWith("data:")) {
        data.add(line.substring("data:".length()).trim());
      }
    }

    @Override
    public void onError(final Throwable throwable) {
      // the test hung up, or the server went away
    }

    @Override
    public void onComplete() {
      // the server ended the stream
    }
  }
}
