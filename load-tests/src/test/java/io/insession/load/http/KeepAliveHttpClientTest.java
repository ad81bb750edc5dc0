package io.insession.load.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpServer;
import io.insession.load.report.LookupReport;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KeepAliveHttpClientTest {

  private HttpServer server;
  private final AtomicInteger hits = new AtomicInteger();

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          hits.incrementAndGet();
          final String path = exchange.getRequestURI().getRawPath();
          final byte[] body = ("{\"path\":\"" + path + "\"}").getBytes(StandardCharsets.UTF_8);
          if (path.contains("missing")) {
            exchange.sendResponseHeaders(404, -1);
          } else if (path.contains("chunked")) {
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
              out.flush();
              out.write(body);
            }
          } else {
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          }
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void shouldReadStatusAndBodiesOnOneConnection() throws Exception {
    try (KeepAliveHttpClient client =
        new KeepAliveHttpClient("127.0.0.1", server.getAddress().getPort())) {
      assertThat(client.get("/v1/sessions/a/recommendations")).isEqualTo(200);
      assertThat(client.get("/v1/sessions/missing/recommendations")).isEqualTo(404);
      assertThat(client.get("/chunked")).isEqualTo(200);
      assertThat(client.get("/after-chunked")).isEqualTo(200);
    }
    assertThat(hits).hasValue(4);
  }

  @Test
  void shouldRefuseNonLoopbackHosts() {
    assertThrows(IllegalArgumentException.class, () -> new KeepAliveHttpClient("192.0.2.1", 80));
  }

  @Test
  void shouldLoadTheApiUpToTheRequestCount() throws Exception {
    final LookupLoad load =
        new LookupLoad(
            URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
            List.of("a", "b", "missing c"));
    // the count ends the run; the duration is only a generous liveness bound
    final LookupReport report = load.run(2, Duration.ofMinutes(5), 200, 1);
    // each of the 2 workers checks the count before its request: at most one overshoots
    assertThat(report.requests()).isBetween(200L, 201L);
    assertThat(report.ok() + report.notFound()).isEqualTo(report.requests());
    assertThat(report.notFound()).isPositive();
    assertThat(report.errors()).isZero();
    assertThat(hits.get()).isEqualTo(report.requests());
    assertThat(LookupLoad.path("missing c")).isEqualTo("/v1/sessions/missing%20c/recommendations");
  }

  @Test
  void shouldSendNothingOnceTheDurationIsOver() throws Exception {
    final LookupLoad load =
        new LookupLoad(
            URI.create("http://127.0.0.1:" + server.getAddress().getPort()), List.of("a"));
    // a zero duration is over before the first request, however fast or slow the machine
    final LookupReport report = load.run(2, Duration.ZERO, 200, 1);
    assertThat(report.requests()).isZero();
    assertThat(report.errors()).isZero();
    assertThat(hits).hasValue(0);
  }
}
