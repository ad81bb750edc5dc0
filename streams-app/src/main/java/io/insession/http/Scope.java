package io.insession.http;

import io.javalin.security.RouteRole;
import java.util.Locale;
import java.util.Optional;

/**
 * What a route needs: each route of the HTTP servers is registered with exactly one scope (its
 * Javalin {@link RouteRole}), and {@link HttpGuard} lets a request through only when its key or
 * token grants that scope. {@link #PUBLIC} routes need no credentials. A route registered without a
 * scope is refused while authentication is on (fail closed).
 */
public enum Scope implements RouteRole {
  /** {@code POST /v1/events}. */
  EVENTS_WRITE("events:write"),
  /** Reading lists: {@code GET .../recommendations} and its push stream. */
  RECOMMENDATIONS_READ("recommendations:read"),
  /** Operator endpoints (deployments, experiments, forgetting a session). */
  OPERATE("operate"),
  /** {@code GET /metrics} on the metrics ports. */
  METRICS_READ("metrics:read"),
  /** No credentials needed: {@code /health}, {@code /ready}. */
  PUBLIC("public");

  private final String token;

  Scope(final String token) {
    this.token = token;
  }

  /** The scope as written in key files and token claims, e.g. {@code events:write}. */
  public String token() {
    return token;
  }

  /** The grantable scope named {@code token} (never {@link #PUBLIC}), if there is one. */
  public static Optional<Scope> parse(final String token) {
    final String wanted = token.strip().toLowerCase(Locale.ROOT);
    for (final Scope scope : values()) {
      if (scope != PUBLIC && scope.token.equals(wanted)) {
        return Optional.of(scope);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return token;
  }
}
