package io.insession.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.Header;
import io.javalin.http.HttpStatus;
import io.javalin.security.RouteRole;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.handler.EventsHandler;
import org.eclipse.jetty.server.handler.MinimumDataRateHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gate of an HTTP server: where it listens, the limits of its connections, CORS, rate limits
 * and authentication, and the count of what it refused.
 *
 * <p>The hook for routes: every route is registered with one {@link Scope} as its Javalin role,
 * e.g. {@code router.delete("/v1/sessions/{sessionId}", handler, Scope.OPERATE)}; a {@code
 * beforeMatched} handler lets a request reach the route only when its key or token grants that
 * scope. In order, for each request:
 *
 * <ol>
 *   <li>{@code before}: CORS headers for an allowed {@code Origin}; the client address's token
 *       bucket (429 {@code RATE_LIMITED_ADDRESS} with {@code Retry-After}, counted before
 *       authentication so that guessing keys is limited too); a CORS preflight ({@code OPTIONS}
 *       with {@code Access-Control-Request-Method}) is answered here, 204 or 403;
 *   <li>{@code beforeMatched}: with authentication on, the route's scope: {@link Scope#PUBLIC}
 *       passes; else the credentials ({@code X-Api-Key: KEY} or {@code Authorization: Bearer
 *       KEY-OR-JWT}) must be valid (401 {@code UNAUTHENTICATED} with {@code WWW-Authenticate}) and
 *       grant the scope (403 {@code FORBIDDEN}); then the key's token bucket (429 {@code
 *       RATE_LIMITED_KEY}). A route registered without a scope is refused (403): fail closed.
 * </ol>
 *
 * Jetty's own refusals (431 headers too large, 414 request line too long) are counted by an error
 * handler. Refusals are JSON {@code {"error", "code", "retryable"}}, never 5xx, and counted in
 * {@code insession_http_requests_refused_total{server, reason}}.
 */
public final class HttpGuard {

  /** The context attribute holding the request's {@link Principal} once authenticated. */
  public static final String PRINCIPAL = "insession.principal";

  private static final Logger LOG = LoggerFactory.getLogger(HttpGuard.class);
  private static final String API_KEY_HEADER = "X-Api-Key";
  private static final String BEARER = "bearer ";
  private static final String CHALLENGE = "Bearer realm=\"insession\"";

  private final HttpSecurity security;
  private final Refusals refusals;
  private final String server;
  // this server's own buckets: a flood of the API does not lock out the metrics scraper
  private final RateLimiter perKey;
  private final RateLimiter perAddress;

  /**
   * A gate.
   *
   * @param security authentication, rate limits and CORS
   * @param refusals where refusals are counted
   * @param server the server's name, for the log
   */
  public HttpGuard(final HttpSecurity security, final Refusals refusals, final String server) {
    this.security = Objects.requireNonNull(security, "security");
    this.refusals = Objects.requireNonNull(refusals, "refusals");
    this.server = Objects.requireNonNull(server, "server");
    this.perKey = security.perKey().copy();
    this.perAddress = security.perAddress().copy();
  }

  /**
   * Where and how a server listens.
   *
   * @param host the bind address
   * @param port the port, 0 for any free one
   * @param idleTimeout how long a connection may stay without a byte read or written
   * @param maxHeaderBytes the largest request line plus headers
   * @param minRequestBytesPerSecond the slowest a request body may arrive, 0 for no check
   */
  public record Listener(
      String host,
      int port,
      Duration idleTimeout,
      int maxHeaderBytes,
      long minRequestBytesPerSecond) {

    /** Validates. */
    public Listener {
      Objects.requireNonNull(host, "host");
      if (host.isBlank()) {
        throw new IllegalArgumentException("host must not be blank");
      }
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be in 0..65535: " + port);
      }
      Objects.requireNonNull(idleTimeout, "idleTimeout");
      if (maxHeaderBytes < 1) {
        throw new IllegalArgumentException("maxHeaderBytes must be >= 1: " + maxHeaderBytes);
      }
      if (minRequestBytesPerSecond < 0) {
        throw new IllegalArgumentException(
            "minRequestBytesPerSecond must be >= 0: " + minRequestBytesPerSecond);
      }
    }
  }

  /** The security settings. */
  public HttpSecurity security() {
    return security;
  }

  /**
   * Installs the connector of {@code listener}, the error handler and the handlers above into a
   * server's config; call it before registering routes.
   */
  public void install(final JavalinConfig config, final Listener listener) {
    if (!security.authRequired()) {
      LOG.warn(
          "AUTHENTICATION IS OFF on the {} server ({}:{}; insession.api.auth=none): anyone who"
              + " can reach it can call every route it serves (on the API: read every session's"
              + " lists and write events into any session). Use this only on a private machine or"
              + " network.",
          server,
          listener.host(),
          listener.port());
    }
    config.jetty.modifyHttpConfiguration(
        http -> {
          http.setRequestHeaderSize(listener.maxHeaderBytes());
          http.setSendServerVersion(false);
        });
    config.jetty.addConnector(
        (jetty, http) -> {
          final ServerConnector connector =
              new ServerConnector(jetty, new HttpConnectionFactory(http));
          connector.setHost(listener.host());
          connector.setPort(listener.port());
          // also bounds how long a client may take to send its headers
          connector.setIdleTimeout(listener.idleTimeout().toMillis());
          return connector;
        });
    config.jetty.modifyServer(
        jetty -> {
          jetty.setErrorHandler(new CountingErrorHandler());
          if (listener.minRequestBytesPerSecond() > 0) {
            // a body trickling in slower than this is failed (408) and its thread freed
            jetty.insertHandler(new MinimumDataRateHandler(listener.minRequestBytesPerSecond(), 0));
            // counted where every answer passes: Jetty may fail the request itself (a bare 408)
            // without a route or the error handler seeing it
            jetty.insertHandler(new SlowRequestCounter());
          }
        });
    config.routes.before(this::before);
    config.routes.beforeMatched(this::authorize);
  }

  /**
   * Answers a refusal: the reason's status, a JSON error body, {@code Retry-After} when given, and
   * the count; the route's handler is skipped.
   *
   * @param retryAfterSeconds seconds for {@code Retry-After}, or empty
   */
  public void refuse(
      final Context ctx,
      final Refusal reason,
      final String message,
      final OptionalLong retryAfterSeconds) {
    refusals.count(reason);
    retryAfterSeconds.ifPresent(s -> ctx.header(Header.RETRY_AFTER, Long.toString(s)));
    final Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", message);
    body.put("code", reason.name());
    body.put("retryable", reason.status() == HttpStatus.TOO_MANY_REQUESTS);
    ctx.status(reason.status()).json(body);
    ctx.skipRemainingHandlers();
  }

  /** {@link #refuse(Context, Refusal, String, OptionalLong)} without {@code Retry-After}. */
  public void refuse(final Context ctx, final Refusal reason, final String message) {
    refuse(ctx, reason, message, OptionalLong.empty());
  }

  /** Counts a refusal answered elsewhere (e.g. Javalin's own 413). */
  public void count(final Refusal reason) {
    refusals.count(reason);
  }

  private void before(final Context ctx) {
    final String origin = ctx.header(Header.ORIGIN);
    final boolean allowedOrigin = origin != null && originAllowed(origin);
    if (allowedOrigin) {
      ctx.header(
          Header.ACCESS_CONTROL_ALLOW_ORIGIN, security.corsOrigins().contains("*") ? "*" : origin);
      ctx.header(Header.VARY, Header.ORIGIN);
      ctx.header(Header.ACCESS_CONTROL_EXPOSE_HEADERS, "Retry-After, WWW-Authenticate");
    }
    final OptionalLong wait = perAddress.retryAfterSeconds(ctx.ip());
    if (wait.isPresent()) {
      refuse(
          ctx,
          Refusal.RATE_LIMITED_ADDRESS,
          "too many requests from this address; retry after " + wait.getAsLong() + " s",
          wait);
      return;
    }
    if (HandlerType.OPTIONS.equals(ctx.method())
        && origin != null
        && ctx.header(Header.ACCESS_CONTROL_REQUEST_METHOD) != null) {
      if (!allowedOrigin) {
        refuse(
            ctx,
            Refusal.CORS_ORIGIN_NOT_ALLOWED,
            "origin " + origin + " may not call this API (insession.api.cors.allowed.origins)");
        return;
      }
      ctx.header(Header.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, DELETE");
      ctx.header(
          Header.ACCESS_CONTROL_ALLOW_HEADERS,
          "Authorization, Content-Type, X-Api-Key, Last-Event-ID");
      ctx.header(Header.ACCESS_CONTROL_MAX_AGE, Integer.toString(security.corsMaxAgeSeconds()));
      ctx.status(HttpStatus.NO_CONTENT);
      ctx.skipRemainingHandlers();
    }
  }

  private void authorize(final Context ctx) {
    if (!security.authRequired()) {
      return;
    }
    final Scope scope = scopeOf(ctx);
    if (scope == null) {
      LOG.error("Route {} {} has no scope; refusing it", ctx.method(), ctx.path());
      refuse(ctx, Refusal.FORBIDDEN, "this route is not open to any key");
      return;
    }
    if (scope == Scope.PUBLIC) {
      return;
    }
    final String credential = credential(ctx);
    if (credential == null) {
      ctx.header(Header.WWW_AUTHENTICATE, CHALLENGE);
      refuse(
          ctx,
          Refusal.UNAUTHENTICATED,
          "credentials needed: send X-Api-Key: KEY or Authorization: Bearer KEY-OR-TOKEN");
      return;
    }
    final Principal principal;
    try {
      principal = security.authenticate(credential);
    } catch (IllegalArgumentException e) {
      ctx.header(Header.WWW_AUTHENTICATE, CHALLENGE + ", error=\"invalid_token\"");
      refuse(ctx, Refusal.UNAUTHENTICATED, e.getMessage());
      return;
    }
    if (!principal.grants(scope)) {
      ctx.header(
          Header.WWW_AUTHENTICATE,
          CHALLENGE + ", error=\"insufficient_scope\", scope=\"" + scope.token() + "\"");
      refuse(
          ctx,
          Refusal.FORBIDDEN,
          principal.name() + " lacks the scope " + scope.token() + " this route needs");
      return;
    }
    final OptionalLong wait = perKey.retryAfterSeconds(principal.name());
    if (wait.isPresent()) {
      refuse(
          ctx,
          Refusal.RATE_LIMITED_KEY,
          "too many requests with this key; retry after " + wait.getAsLong() + " s",
          wait);
      return;
    }
    ctx.attribute(PRINCIPAL, principal);
  }

  private static Scope scopeOf(final Context ctx) {
    Scope found = null;
    for (final RouteRole role : ctx.routeRoles()) {
      if (role instanceof Scope scope) {
        if (found != null && found != scope) {
          return null; // one scope per route: two are a mistake
        }
        found = scope;
      }
    }
    return found;
  }

  private static String credential(final Context ctx) {
    final String key = ctx.header(API_KEY_HEADER);
    if (key != null && !key.isBlank()) {
      return key.strip();
    }
    final String authorization = ctx.header(Header.AUTHORIZATION);
    if (authorization != null
        && authorization.length() > BEARER.length()
        && authorization.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
      return authorization.substring(BEARER.length()).strip();
    }
    return null;
  }

  private boolean originAllowed(final String origin) {
    final String normalized = stripSlash(origin.strip());
    for (final String allowed : security.corsOrigins()) {
      if (allowed.equals("*") || stripSlash(allowed).equalsIgnoreCase(normalized)) {
        return true;
      }
    }
    return false;
  }

  private static String stripSlash(final String origin) {
    return origin.endsWith("/") ? origin.substring(0, origin.length() - 1) : origin;
  }

  /**
   * Counts Jetty's refusals of requests it could not parse or route, then answers as Jetty does.
   */
  /** Counts the requests answered 408 (a body slower than the minimum data rate). */
  private final class SlowRequestCounter extends EventsHandler {
    @Override
    protected void onComplete(
        final Request request,
        final int status,
        final HttpFields headers,
        final Throwable failure) {
      if (status == HttpStatus.REQUEST_TIMEOUT.getCode()) {
        refusals.count(Refusal.REQUEST_TOO_SLOW);
      }
    }
  }

  private final class CountingErrorHandler extends ErrorHandler {
    @Override
    public boolean handle(final Request request, final Response response, final Callback callback)
        throws Exception {
      final Object status = request.getAttribute(ERROR_STATUS);
      if (status instanceof Integer code) {
        if (code == HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE.getCode()) {
          refusals.count(Refusal.HEADERS_TOO_LARGE);
        } else if (code == HttpStatus.URI_TOO_LONG.getCode()) {
          refusals.count(Refusal.URI_TOO_LONG);
        }
      }
      return super.handle(request, response, callback);
    }
  }
}
