package io.insession.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A tiny plain-text HTTP client for tests, e.g. of a Prometheus scrape endpoint. */
public final class HttpText {

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String apiKey;

  public HttpText(final int port) {
    this("http://localhost:" + port, null);
  }

  private HttpText(final String base, final String apiKey) {
    this.base = base;
    this.apiKey = apiKey;
  }

  /** The same client, sending {@code key} as {@code X-Api-Key} with every request. */
  public HttpText withApiKey(final String key) {
    return new HttpText(base, key);
  }

  /** An answer: status, content type and body. */
  public record Answer(int status, String contentType, String body) {}

  public Answer get(final String path) {
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(10))
            .GET()
            .build());
  }

  public Answer delete(final String path) {
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(10))
            .DELETE()
            .build());
  }

  private Answer send(final HttpRequest unsigned) {
    final HttpRequest request =
        apiKey == null
            ? unsigned
            : HttpRequest.newBuilder(unsigned, (name, value) -> true)
                .header("X-Api-Key", apiKey)
                .build();
    try {
      final HttpResponse<String> response =
          client.send(request, HttpResponse.BodyHandlers.ofString());
      return new Answer(
          response.statusCode(),
          response.headers().firstValue("Content-Type").orElse(""),
          response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
