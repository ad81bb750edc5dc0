package io.insession.api;

import java.util.Objects;

/**
 * Where the lookup API listens: the API itself and, apart, its {@code GET /metrics}, so that the
 * metrics need not be exposed with the API.
 *
 * @param host the API's bind address ({@code insession.api.bind.address})
 * @param port the API's port, 0 for any free one ({@code insession.api.port})
 * @param metricsHost the metrics server's bind address ({@code insession.metrics.bind.address})
 * @param metricsPort the metrics server's port, 0 for any free one ({@code
 *     insession.api.metrics.port})
 */
public record ApiBinding(String host, int port, String metricsHost, int metricsPort) {

  /** Every interface. */
  public static final String ANY_HOST = "0.0.0.0";

  /** Validates. */
  public ApiBinding {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(metricsHost, "metricsHost");
    if (host.isBlank() || metricsHost.isBlank()) {
      throw new IllegalArgumentException("bind addresses must not be blank");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be in 0..65535: " + port);
    }
    if (metricsPort < 0 || metricsPort > 65_535) {
      throw new IllegalArgumentException("metricsPort must be in 0..65535: " + metricsPort);
    }
  }

  /** The API on {@code port}, the metrics on any free port, both on every interface. */
  public static ApiBinding anyHost(final int port) {
    return new ApiBinding(ANY_HOST, port, ANY_HOST, 0);
  }
}
