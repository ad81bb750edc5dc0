package io.insession.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.insession.metrics.PrometheusMetrics;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The hook other routes use: a route registered with a {@link Scope} needs a key with that scope;
 * one registered without any is refused while authentication is on.
 */
class HttpGuardTest {

  private static final String OPERATOR = "operator-0123456789abcdef";
  private static final String READER = "reader-0123456789abcdef";

  private final HttpClient client = HttpClient.newHttpClient();
  private final PrometheusMeterRegistry registry = PrometheusMetrics.newRegistry();
  private Javalin app;

  @BeforeEach
  void start() {
    final HttpSecurity security =
        new HttpSecurity(
            true,
            Credentials.fixed(
                ApiKeys.parse(
                    "ops operate " + OPERATOR + "\nweb recommendations:read " + READER, "test"),
                Optional.empty()),
            new RateLimiter(0, 1, System::nanoTime),
            new RateLimiter(0, 1, System::nanoTime),
            List.of(),
            0);
    final HttpGuard guard = new HttpGuard(security, new Refusals(registry, "test"), "test");
    app =
        Javalin.create(
                config -> {
                  config.startup.showJavalinBanner = false;
                  guard.install(
                      config,
                      new HttpGuard.Listener("127.0.0.1", 0, Duration.ofSeconds(30), 8192, 0));
                  // how an operator route is added: one scope tag
                  config.routes.delete(
                      "/v1/sessions/{sessionId}",
                      ctx ->
                          ctx.result(
                              "forgot "
                                  + ctx.pathParam("sessionId")
                                  + " for "
                                  + ctx.<Principal>attribute(HttpGuard.PRINCIPAL).name()),
                      Scope.OPERATE);
                  config.routes.get("/untagged", ctx -> ctx.result("open?"));
                })
            .start();
  }

  @AfterEach
  void stop() {
    app.stop();
  }

  @Test
  void shouldLetOnlyKeysWithTheRoutesScopeThrough() throws Exception {
    assertThat(send("DELETE", "/v1/sessions/s-1", OPERATOR).body())
        .isEqualTo("forgot s-1 for key:ops");
    assertThat(send("DELETE", "/v1/sessions/s-1", READER).statusCode()).isEqualTo(403);
    assertThat(send("DELETE", "/v1/sessions/s-1", null).statusCode()).isEqualTo(401);
  }

  @Test
  void shouldRefuseARouteWithoutAScope() throws Exception {
    assertThat(send("GET", "/untagged", OPERATOR).statusCode()).isEqualTo(403);
    assertThat(send("GET", "/untagged", READER).statusCode()).isEqualTo(403);
  }

  @Test
  void shouldRefuseMalformedKeyFilesWithoutShowingTheKey() {
    final IllegalArgumentException shortKey =
        assertThrows(
            IllegalArgumentException.class, () -> ApiKeys.parse("a operate s3cret", "keys.txt"));
    assertThat(shortKey.getMessage()).contains("keys.txt entry 1").doesNotContain("s3cret");
    final IllegalArgumentException scope =
        assertThrows(
            IllegalArgumentException.class,
            () -> ApiKeys.parse("\na admin 0123456789abcdef0123", "keys.txt"));
    assertThat(scope.getMessage()).contains("entry 2").contains("unknown scope 'admin'");
  }

  private HttpResponse<String> send(final String method, final String path, final String key)
      throws IOException, InterruptedException {
    final HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (key != null) {
      request.header("X-Api-Key", key);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
