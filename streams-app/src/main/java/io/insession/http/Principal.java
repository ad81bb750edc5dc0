package io.insession.http;

import java.util.Objects;
import java.util.Set;

/**
 * Who made a request: the name of its API key ({@code key:NAME}) or its token's subject ({@code
 * jwt:SUB}), and the scopes granted. The name is what per-key rate limits count by; it is never a
 * secret.
 */
public record Principal(String name, Set<Scope> scopes) {

  /** Validates and copies. */
  public Principal {
    Objects.requireNonNull(name, "name");
    scopes = Set.copyOf(scopes);
  }

  /** Whether {@code scope} is granted. */
  public boolean grants(final Scope scope) {
    return scopes.contains(scope);
  }
}
