package io.insession.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.insession.avro.AvroSingleObjectSerde;
import io.insession.config.InSessionConfig;
import io.insession.http.ApiKeys;
import io.insession.metrics.PrometheusMetrics;
import io.insession.runtime.LookupSettings;
import io.insession.schemas.RecommendationList;
import io.insession.testing.KafkaTestCluster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authentication, scopes, CORS and every HTTP limit of the lookup API, configured as {@code
 * insession lookup} configures it ({@code LookupSettings.from}), on a real broker: API keys from a
 * file, JWTs signed here with a generated RSA key whose public half is in a JWKS file. Every
 * refusal is a 4xx, is counted by reason on the metrics port, and leaves the server serving.
 */
class ApiSecurityIT {

  @RegisterExtension static final KafkaTestCluster KAFKA = new KafkaTestCluster();

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final AvroSingleObjectSerde<RecommendationList> LISTS =
      AvroSingleObjectSerde.forType(RecommendationList.class);
  private static final String READER = "reader-0123456789abcdef";
  private static final String WRITER = "writer-0123456789abcdef";
  private static final String OPERATOR = "operator-0123456789abcdef";
  private static final String ISSUER = "https://idp.example";
  private static final String SHOP = "https://shop.example";
  private static final String EVENT =
      "{\"sessionId\":\"s-1\",\"eventType\":\"PRODUCT_VIEW\",\"itemId\":\"i-1\"}";
  private static final String LIST_PATH = "/v1/sessions/s-1/recommendations";

  @TempDir static Path dir;

  private static String recommendations;
  private static String weblog;
  private static RSAKey signingKey;
  private static Path keysFile;
  private static Path jwksFile;

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void setUp() throws IOException, JOSEException {
    recommendations = KAFKA.uniqueName("recommendations");
    weblog = KAFKA.uniqueName("weblog");
    KAFKA.createTopic(recommendations, 1);
    KAFKA.createTopic(weblog, 1);
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            KAFKA.producerProps(), new StringSerializer(), new ByteArraySerializer())) {
      producer
          .send(
              new ProducerRecord<>(
                  recommendations,
                  "s-1",
                  LISTS.serialize(recommendations, TestLists.list("r-1", "s-1", "i-7"))))
          .get();
    } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e);
    }
    keysFile = dir.resolve("api-keys");
    Files.writeString(
        keysFile,
        String.join(
            "\n",
            "# name scopes key",
            "frontend-read recommendations:read " + READER,
            "frontend-write events:write " + WRITER,
            // the operator's key only as its SHA-256
            "ops operate,metrics:read sha256:" + ApiKeys.sha256Hex(OPERATOR),
            ""));
    signingKey = new RSAKeyGenerator(2048).keyID("k1").generate();
    jwksFile = dir.resolve("jwks.json");
    Files.writeString(jwksFile, new JWKSet(signingKey.toPublicJWK()).toString());
  }

  @Test
  void shouldAnswer401WithoutCredentialsOrWithAWrongKeyAndKeepHealthOpen() {
    try (LookupApi api = start(Map.of())) {
      final Answer none = send(api.port(), "GET", LIST_PATH, null, null);
      assertThat(none.status()).isEqualTo(401);
      assertThat(none.header("WWW-Authenticate")).startsWith("Bearer");
      assertThat(none.json().get("code").asText()).isEqualTo("UNAUTHENTICATED");

      final Answer wrong =
          send(api.port(), "GET", LIST_PATH, null, null, "X-Api-Key", "not-a-key-0123456789");
      assertThat(wrong.status()).isEqualTo(401);
      assertThat(wrong.json().get("error").asText()).isEqualTo("unknown API key");
      assertThat(wrong.body()).doesNotContain("not-a-key-0123456789");

      assertThat(send(api.port(), "POST", LookupApi.EVENTS_PATH, EVENT, JSON).status())
          .isEqualTo(401);
      assertThat(send(api.port(), "GET", LIST_PATH + "/stream", null, null).status())
          .isEqualTo(401);
      assertThat(send(api.metricsPort(), "GET", "/metrics", null, null).status()).isEqualTo(401);

      // probes need no key
      assertThat(send(api.port(), "GET", "/health", null, null).status()).isEqualTo(200);
      await()
          .atMost(TIMEOUT)
          .until(() -> send(api.port(), "GET", "/ready", null, null).status() == 200);

      final String metrics = metrics(api);
      assertThat(refused(metrics, "lookup", "UNAUTHENTICATED")).isEqualTo(4.0);
      assertThat(refused(metrics, "lookup-metrics", "UNAUTHENTICATED")).isEqualTo(1.0);
    }
  }

  @Test
  void shouldAnswer403ForAKeyOrTokenWithoutTheRoutesScope() throws JOSEException {
    try (LookupApi api = start(Map.of())) {
      final Answer readerPosts = post(api, EVENT, JSON, READER);
      assertThat(readerPosts.status()).isEqualTo(403);
      assertThat(readerPosts.json().get("code").asText()).isEqualTo("FORBIDDEN");
      assertThat(readerPosts.json().get("error").asText())
          .isEqualTo("key:frontend-read lacks the scope events:write this route needs");

      assertThat(read(api, WRITER).status()).isEqualTo(403);
      assertThat(
              send(api.metricsPort(), "GET", "/metrics", null, null, "X-Api-Key", READER).status())
          .isEqualTo(403);
      final String token = token("events:write", Instant.now().plusSeconds(300), ISSUER);
      assertThat(send(api.port(), "GET", LIST_PATH, null, null, BEARER, "Bearer " + token).status())
          .isEqualTo(403);

      assertThat(refused(metrics(api), "lookup", "FORBIDDEN")).isEqualTo(3.0);
    }
  }

  @Test
  void shouldServeTheRightKeyAndTheRightToken() throws JOSEException {
    try (LookupApi api = start(Map.of())) {
      await().atMost(TIMEOUT).until(() -> read(api, READER).status() == 200);
      final Answer byKey = read(api, READER);
      assertThat(byKey.json().get("recommendationId").asText()).isEqualTo("r-1");
      // a key also goes as a bearer token
      assertThat(
              send(api.port(), "GET", LIST_PATH, null, null, BEARER, "Bearer " + READER).status())
          .isEqualTo(200);

      final String reads =
          token("openid recommendations:read", Instant.now().plusSeconds(300), ISSUER);
      final Answer byToken =
          send(api.port(), "GET", LIST_PATH, null, null, BEARER, "Bearer " + reads);
      assertThat(byToken.status()).isEqualTo(200);
      assertThat(byToken.json().get("recommendationId").asText()).isEqualTo("r-1");

      final Answer posted = post(api, EVENT, JSON, WRITER);
      assertThat(posted.status()).isEqualTo(202);
      assertThat(posted.json().get("accepted").asInt()).isEqualTo(1);
      final String writes = token("events:write", Instant.now().plusSeconds(300), ISSUER);
      assertThat(
              send(
                      api.port(),
                      "POST",
                      LookupApi.EVENTS_PATH,
                      EVENT,
                      "application/json; charset=utf-8",
                      BEARER,
                      "Bearer " + writes)
                  .status())
          .isEqualTo(202);

      try (SseTestClient stream =
          new SseTestClient(api.port(), LIST_PATH + "/stream", "X-Api-Key", READER)) {
        await().atMost(TIMEOUT).until(() -> !stream.events().isEmpty());
        assertThat(stream.status()).isEqualTo(200);
        assertThat(stream.events().get(0).id()).isEqualTo("r-1");
      }

      final Answer metrics =
          send(api.metricsPort(), "GET", "/metrics", null, null, "X-Api-Key", OPERATOR);
      assertThat(metrics.status()).isEqualTo(200);
      assertThat(refused(metrics.body(), "lookup", "UNAUTHENTICATED")).isZero();
      // the API port serves no metrics
      assertThat(send(api.port(), "GET", "/metrics", null, null, "X-Api-Key", OPERATOR).status())
          .isEqualTo(404);
    }
  }

  @Test
  void shouldRefuseExpiredForeignOrOtherIssuersTokens() throws JOSEException {
    try (LookupApi api = start(Map.of())) {
      final String expired = token("recommendations:read", Instant.now().minusSeconds(600), ISSUER);
      final Answer late =
          send(api.port(), "GET", LIST_PATH, null, null, BEARER, "Bearer " + expired);
      assertThat(late.status()).isEqualTo(401);
      assertThat(late.json().get("error").asText()).contains("Expired JWT");
      assertThat(late.header("WWW-Authenticate")).contains("invalid_token");

      final RSAKey other = new RSAKeyGenerator(2048).keyID("k1").generate();
      final String foreign =
          sign(other, claims("recommendations:read", Instant.now().plusSeconds(300), ISSUER));
      assertThat(
              send(api.port(), "GET", LIST_PATH, null, null, BEARER, "Bearer " + foreign).status())
          .isEqualTo(401);

      final String elsewhere =
          token("recommendations:read", Instant.now().plusSeconds(300), "https://other.example");
      assertThat(
              send(api.port(), "GET", LIST_PATH, null, null, BEARER, "Bearer " + elsewhere)
                  .status())
          .isEqualTo(401);

      assertThat(refused(metrics(api), "lookup", "UNAUTHENTICATED")).isEqualTo(3.0);
    }
  }

  @Test
  void shouldAnswer415ForEventsThatAreNotJsonAnd413ForABodyOverTheLimit() {
    try (LookupApi api = start(Map.of(InSessionConfig.API_MAX_REQUEST_BYTES, "2048"))) {
      final Answer plain = post(api, EVENT, "text/plain", WRITER);
      assertThat(plain.status()).isEqualTo(415);
      assertThat(plain.json().get("code").asText()).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
      assertThat(post(api, EVENT, "application/x-www-form-urlencoded", WRITER).status())
          .isEqualTo(415);

      final String big = "[" + (EVENT + ",").repeat(40) + EVENT + "]";
      assertThat(post(api, big, JSON, WRITER).status()).isEqualTo(413);

      final String metrics = metrics(api);
      assertThat(refused(metrics, "lookup", "UNSUPPORTED_MEDIA_TYPE")).isEqualTo(2.0);
      assertThat(refused(metrics, "lookup", "CONTENT_TOO_LARGE")).isEqualTo(1.0);
    }
  }

  @Test
  void shouldAnswer400ForJsonNestedTooDeepOrArraysTooLong() {
    try (LookupApi api =
        start(
            Map.of(
                InSessionConfig.API_MAX_JSON_DEPTH, "4",
                InSessionConfig.API_MAX_JSON_ARRAY_ELEMENTS, "10",
                InSessionConfig.API_COLLECTOR_MAX_BATCH_EVENTS, "10"))) {
      final String deep =
          "{\"sessionId\":\"s-1\",\"eventType\":\"PAGE_VIEW\",\"attributes\":"
              + "{\"a\":[[[[\"x\"]]]]}}";
      final Answer tooDeep = post(api, deep, JSON, WRITER);
      assertThat(tooDeep.status()).isEqualTo(400);
      assertThat(tooDeep.json().get("code").asText()).isEqualTo("JSON_TOO_DEEP");

      final String longArray =
          "{\"sessionId\":\"s-1\",\"eventType\":\"PAGE_VIEW\",\"attributes\":{\"a\":["
              + "1,".repeat(10)
              + "1]}}";
      final Answer tooLong = post(api, longArray, JSON, WRITER);
      assertThat(tooLong.status()).isEqualTo(400);
      assertThat(tooLong.json().get("code").asText()).isEqualTo("JSON_ARRAY_TOO_LONG");

      // ten events are a full batch, within both limits
      final String batch = "[" + (EVENT + ",").repeat(9) + EVENT + "]";
      assertThat(post(api, batch, JSON, WRITER).status()).isEqualTo(202);

      final String metrics = metrics(api);
      assertThat(refused(metrics, "lookup", "JSON_TOO_DEEP")).isEqualTo(1.0);
      assertThat(refused(metrics, "lookup", "JSON_ARRAY_TOO_LONG")).isEqualTo(1.0);
    }
  }

  @Test
  void shouldAnswer431ForHeadersOverTheLimitAndStayUp() {
    try (LookupApi api = start(Map.of(InSessionConfig.API_MAX_HEADER_BYTES, "2048"))) {
      final Answer big =
          send(
              api.port(),
              "GET",
              LIST_PATH,
              null,
              null,
              "X-Api-Key",
              READER,
              "X-Pad",
              "p".repeat(4096));
      assertThat(big.status()).isEqualTo(431);
      assertThat(refused(metrics(api), "lookup", "HEADERS_TOO_LARGE")).isEqualTo(1.0);
      assertThat(send(api.port(), "GET", "/health", null, null).status()).isEqualTo(200);
    }
  }

  @Test
  void shouldRateLimitEachAddressWith429AndRetryAfterBeforeCheckingKeys() {
    // a token every 1,000 s: nothing refills while the test runs
    try (LookupApi api =
        start(
            Map.of(
                InSessionConfig.API_RATE_PER_ADDRESS, "0.001",
                InSessionConfig.API_RATE_PER_ADDRESS_BURST, "3"))) {
      for (int i = 0; i < 3; i++) {
        assertThat(send(api.port(), "GET", "/health", null, null).status()).isEqualTo(200);
      }
      // even a wrong key is counted against the address: guessing keys is limited too
      final Answer limited =
          send(api.port(), "GET", LIST_PATH, null, null, "X-Api-Key", "guess-0123456789abcdef");
      assertThat(limited.status()).isEqualTo(429);
      assertThat(limited.json().get("code").asText()).isEqualTo("RATE_LIMITED_ADDRESS");
      assertThat(limited.json().get("retryable").asBoolean()).isTrue();
      assertThat(Long.parseLong(limited.header("Retry-After"))).isBetween(1L, 1000L);

      final String metrics = metrics(api); // the metrics port has its own buckets
      assertThat(refused(metrics, "lookup", "RATE_LIMITED_ADDRESS")).isEqualTo(1.0);
      assertThat(refused(metrics, "lookup", "UNAUTHENTICATED")).isZero();
    }
  }

  @Test
  void shouldRateLimitEachKeyOnItsOwn() {
    try (LookupApi api =
        start(
            Map.of(
                InSessionConfig.API_RATE_PER_KEY, "0.001",
                InSessionConfig.API_RATE_PER_KEY_BURST, "2",
                InSessionConfig.API_RATE_PER_ADDRESS, "0"))) {
      assertThat(read(api, READER).status()).isIn(200, 404);
      assertThat(read(api, READER).status()).isIn(200, 404);
      final Answer limited = read(api, READER);
      assertThat(limited.status()).isEqualTo(429);
      assertThat(limited.json().get("code").asText()).isEqualTo("RATE_LIMITED_KEY");
      assertThat(limited.header("Retry-After")).isNotNull();
      // another key of the same address is not held up
      assertThat(post(api, EVENT, JSON, WRITER).status()).isEqualTo(202);
      assertThat(refused(metrics(api), "lookup", "RATE_LIMITED_KEY")).isEqualTo(1.0);
    }
  }

  @Test
  void shouldLimitOpenStreamsPerClientWith429() {
    try (LookupApi api = start(Map.of(InSessionConfig.API_STREAM_MAX_PER_CLIENT, "1"))) {
      try (SseTestClient first =
          new SseTestClient(api.port(), LIST_PATH + "/stream", "X-Api-Key", READER)) {
        await().atMost(TIMEOUT).until(() -> api.openStreams() == 1);
        final Answer second =
            send(
                api.port(),
                "GET",
                LIST_PATH + "/stream",
                null,
                null,
                "X-Api-Key",
                READER,
                "Accept",
                "text/event-stream");
        assertThat(second.status()).isEqualTo(429);
        assertThat(second.json().get("code").asText()).isEqualTo("TOO_MANY_STREAMS_PER_CLIENT");
        assertThat(first.ended()).isFalse();
      }
      // the closed stream gives its slot back
      await().atMost(TIMEOUT).until(() -> api.openStreams() == 0);
      try (SseTestClient again =
          new SseTestClient(api.port(), LIST_PATH + "/stream", "X-Api-Key", READER)) {
        await().atMost(TIMEOUT).until(() -> api.openStreams() == 1);
        assertThat(again.status()).isEqualTo(200);
      }
      assertThat(refused(metrics(api), "lookup", "TOO_MANY_STREAMS_PER_CLIENT")).isEqualTo(1.0);
    }
  }

  @Test
  void shouldAnswerCorsPreflightsForAllowedOriginsOnly() {
    try (LookupApi api = start(Map.of())) {
      final Answer preflight =
          send(
              api.port(),
              "OPTIONS",
              LookupApi.EVENTS_PATH,
              null,
              null,
              "Origin",
              SHOP,
              "Access-Control-Request-Method",
              "POST",
              "Access-Control-Request-Headers",
              "content-type, x-api-key");
      assertThat(preflight.status()).isEqualTo(204);
      assertThat(preflight.header("Access-Control-Allow-Origin")).isEqualTo(SHOP);
      assertThat(preflight.header("Access-Control-Allow-Methods")).contains("POST");
      assertThat(preflight.header("Access-Control-Allow-Headers"))
          .contains("Content-Type")
          .contains("X-Api-Key");
      assertThat(preflight.header("Access-Control-Max-Age")).isEqualTo("600");

      final Answer evil =
          send(
              api.port(),
              "OPTIONS",
              LookupApi.EVENTS_PATH,
              null,
              null,
              "Origin",
              "https://evil.example",
              "Access-Control-Request-Method",
              "POST");
      assertThat(evil.status()).isEqualTo(403);
      assertThat(evil.header("Access-Control-Allow-Origin")).isNull();

      // an allowed origin can read the answers, refusals included
      final Answer fromShop = send(api.port(), "GET", LIST_PATH, null, null, "Origin", SHOP);
      assertThat(fromShop.status()).isEqualTo(401);
      assertThat(fromShop.header("Access-Control-Allow-Origin")).isEqualTo(SHOP);
      assertThat(fromShop.header("Access-Control-Expose-Headers")).contains("Retry-After");
      assertThat(
              send(api.port(), "GET", LIST_PATH, null, null, "Origin", "https://evil.example")
                  .header("Access-Control-Allow-Origin"))
          .isNull();

      assertThat(refused(metrics(api), "lookup", "CORS_ORIGIN_NOT_ALLOWED")).isEqualTo(1.0);
    }
  }

  @Test
  void shouldTakeAnAddedKeyAndRefuseARevokedOneWithoutARestart() throws IOException {
    final String added = "added-0123456789abcdef";
    final Path rotating = dir.resolve("rotating-api-keys");
    Files.writeString(rotating, "frontend-read recommendations:read " + READER + "\n");
    try (LookupApi api =
        start(
            Map.of(
                InSessionConfig.API_AUTH_KEYS_FILE,
                rotating.toString(),
                InSessionConfig.API_AUTH_RELOAD_INTERVAL_MS,
                "100"))) {
      await().atMost(TIMEOUT).until(() -> read(api, READER).status() == 200);
      assertThat(read(api, added).status()).isEqualTo(401);

      // the operator rotates: the new key in, the old one out, same file, same process
      Files.writeString(rotating, "frontend-read-2 recommendations:read " + added + "\n");
      await().atMost(TIMEOUT).until(() -> read(api, added).status() == 200);
      assertThat(read(api, READER).status()).isEqualTo(401);
      assertThat(read(api, added).json().get("sessionId").asText()).isEqualTo("s-1");
    }
  }

  @Test
  void shouldCutOffABodyTricklingInSlowerThanTheMinimumRateWith408AndStayUp() throws Exception {
    try (LookupApi api = start(Map.of(InSessionConfig.API_MIN_REQUEST_BYTES_PER_S, "1024"));
        Socket socket = new Socket("127.0.0.1", api.port())) {
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      final OutputStream out = socket.getOutputStream();
      out.write(slowPostHeaders(api.port(), 100_000));
      out.flush();
      // slowloris: one byte of the body every 50 ms (20 B/s), until the server gives up
      final ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
      try {
        trickle.scheduleAtFixedRate(
            () -> {
              try {
                out.write('[');
                out.flush();
              } catch (IOException closed) {
                throw new UncheckedIOException(closed);
              }
            },
            0,
            50,
            TimeUnit.MILLISECONDS);
        final String answer = readUntilClosed(socket);
        assertThat(answer).startsWith("HTTP/1.1 408");
      } finally {
        trickle.shutdownNow();
      }
      assertThat(refused(metrics(api), "lookup", "REQUEST_TOO_SLOW")).isEqualTo(1.0);
      assertThat(post(api, EVENT, JSON, WRITER).status()).isEqualTo(202);
    }
  }

  @Test
  void shouldCloseAConnectionWhoseBodyStopsArrivingAfterTheIdleTimeout() throws Exception {
    // the rate check off: only the idle timeout can end this request
    try (LookupApi api =
            start(
                Map.of(
                    InSessionConfig.API_MIN_REQUEST_BYTES_PER_S, "0",
                    InSessionConfig.API_STREAM_HEARTBEAT_MS, "200",
                    InSessionConfig.API_IDLE_TIMEOUT_MS, "1000"));
        Socket socket = new Socket("127.0.0.1", api.port())) {
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      final OutputStream out = socket.getOutputStream();
      out.write(slowPostHeaders(api.port(), 100_000));
      out.write("[{\"sessionId\"".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      // and then nothing: the server closes the connection (a read that never ends would fail
      // the test at the socket timeout)
      final String answer = readUntilClosed(socket);
      assertThat(answer)
          .satisfiesAnyOf(
              a -> assertThat(a).isEmpty(), a -> assertThat(a).startsWith("HTTP/1.1 4"));
      assertThat(post(api, EVENT, JSON, WRITER).status()).isEqualTo(202);
      assertThat(send(api.port(), "GET", "/health", null, null).status()).isEqualTo(200);
    }
  }

  // --- helpers -----------------------------------------------------------------------------

  /** The head of a POST of {@code length} JSON bytes to the collector, with the writer's key. */
  private static byte[] slowPostHeaders(final int port, final int length) {
    return ("POST "
            + LookupApi.EVENTS_PATH
            + " HTTP/1.1\r\nHost: 127.0.0.1:"
            + port
            + "\r\nContent-Type: application/json\r\nX-Api-Key: "
            + WRITER
            + "\r\nContent-Length: "
            + length
            + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** Everything the server sends until it closes the connection. */
  private static String readUntilClosed(final Socket socket) throws IOException {
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    final InputStream in = socket.getInputStream();
    final byte[] buffer = new byte[4096];
    try {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        received.write(buffer, 0, n);
      }
    } catch (SocketException reset) {
      // a reset after the answer is a close too
    }
    return received.toString(StandardCharsets.US_ASCII);
  }

  private static final String JSON = "application/json";
  private static final String BEARER = "Authorization";

  /** An API configured as {@code insession lookup} configures it, with {@code extra} settings. */
  private static LookupApi start(final Map<String, String> extra) {
    final Map<String, String> settings = new HashMap<>();
    settings.put("bootstrap.servers", KAFKA.bootstrapServers());
    settings.put(InSessionConfig.RECOMMENDATIONS_TOPIC, recommendations);
    settings.put(InSessionConfig.WEBLOG_TOPIC, weblog);
    settings.put(InSessionConfig.API_PORT, "0");
    settings.put(InSessionConfig.API_METRICS_PORT, "0");
    settings.put(InSessionConfig.API_BIND_ADDRESS, "127.0.0.1");
    settings.put(InSessionConfig.METRICS_BIND_ADDRESS, "127.0.0.1");
    settings.put(InSessionConfig.API_AUTH_KEYS_FILE, keysFile.toString());
    settings.put(InSessionConfig.API_AUTH_JWKS_FILE, jwksFile.toString());
    settings.put(InSessionConfig.API_AUTH_JWT_ISSUER, ISSUER);
    settings.put(InSessionConfig.API_CORS_ALLOWED_ORIGINS, SHOP);
    settings.putAll(extra);
    return LookupApi.start(
        LookupSettings.from(InSessionConfig.of(settings)), PrometheusMetrics.newRegistry());
  }

  private static JWTClaimsSet claims(
      final String scope, final Instant expires, final String issuer) {
    return new JWTClaimsSet.Builder()
        .subject("checkout-service")
        .issuer(issuer)
        .claim("scope", scope)
        .issueTime(Date.from(Instant.now().minusSeconds(900)))
        .expirationTime(Date.from(expires))
        .build();
  }

  private static String token(final String scope, final Instant expires, final String issuer)
      throws JOSEException {
    return sign(signingKey, claims(scope, expires, issuer));
  }

  private static String sign(final RSAKey key, final JWTClaimsSet claims) throws JOSEException {
    final SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  /** POSTs {@code body} as {@code contentType} to the collector with the API key {@code key}. */
  private Answer post(
      final LookupApi api, final String body, final String contentType, final String key) {
    return send(api.port(), "POST", LookupApi.EVENTS_PATH, body, contentType, "X-Api-Key", key);
  }

  /** GETs session s-1's list with the API key {@code key}. */
  private Answer read(final LookupApi api, final String key) {
    return send(api.port(), "GET", LIST_PATH, null, null, "X-Api-Key", key);
  }

  private String metrics(final LookupApi api) {
    final Answer answer =
        send(api.metricsPort(), "GET", "/metrics", null, null, "X-Api-Key", OPERATOR);
    assertThat(answer.status()).isEqualTo(200);
    return answer.body();
  }

  private static double refused(final String metrics, final String server, final String reason) {
    final Matcher m =
        Pattern.compile(
                "^insession_http_requests_refused_total\\{reason=\""
                    + reason
                    + "\",server=\""
                    + server
                    + "\"} (\\S+)$",
                Pattern.MULTILINE)
            .matcher(metrics);
    assertThat(m.find()).as("the series of %s on %s", reason, server).isTrue();
    return Double.parseDouble(m.group(1));
  }

  /** An answer: status, headers, body. */
  record Answer(int status, HttpResponse<String> response) {
    String body() {
      return response.body();
    }

    String header(final String name) {
      return response.headers().firstValue(name).orElse(null);
    }

    JsonNode json() {
      try {
        return MAPPER.readTree(response.body());
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + response.body(), e);
      }
    }
  }

  private Answer send(
      final int port,
      final String method,
      final String path,
      final String body,
      final String contentType,
      final String... headers) {
    final HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .timeout(TIMEOUT)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    final List<String> all = new ArrayList<>(List.of(headers));
    if (contentType != null) {
      all.add("Content-Type");
      all.add(contentType);
    }
    if (!all.isEmpty()) {
      builder.headers(all.toArray(String[]::new));
    }
    try {
      final HttpResponse<String> response =
          client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), response);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
