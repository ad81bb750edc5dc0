package io.insession.http;

import io.javalin.http.HttpStatus;

/**
 * Why an HTTP server refused a request, with the status it answered: the {@code reason} tag of
 * {@code insession_http_requests_refused_total} and the {@code code} of the JSON error body. Every
 * refusal is a 4xx: a limit never answers 5xx.
 */
public enum Refusal {
  /** No credentials, an unknown key, a bad or expired token (401). */
  UNAUTHENTICATED(HttpStatus.UNAUTHORIZED),
  /** Valid credentials without the route's scope (403). */
  FORBIDDEN(HttpStatus.FORBIDDEN),
  /** A CORS preflight from an origin not allowed (403). */
  CORS_ORIGIN_NOT_ALLOWED(HttpStatus.FORBIDDEN),
  /** The client address's token bucket is empty (429). */
  RATE_LIMITED_ADDRESS(HttpStatus.TOO_MANY_REQUESTS),
  /** The API key's (or token subject's) token bucket is empty (429). */
  RATE_LIMITED_KEY(HttpStatus.TOO_MANY_REQUESTS),
  /** Too many open push streams from one client address (429). */
  TOO_MANY_STREAMS_PER_CLIENT(HttpStatus.TOO_MANY_REQUESTS),
  /** A body that is not {@code application/json} (415). */
  UNSUPPORTED_MEDIA_TYPE(HttpStatus.UNSUPPORTED_MEDIA_TYPE),
  /** A body over the size limit (413). */
  CONTENT_TOO_LARGE(HttpStatus.CONTENT_TOO_LARGE),
  /** JSON nested deeper than allowed (400). */
  JSON_TOO_DEEP(HttpStatus.BAD_REQUEST),
  /** A JSON array longer than allowed (400). */
  JSON_ARRAY_TOO_LONG(HttpStatus.BAD_REQUEST),
  /** A session id over the limit in the path (400). */
  SESSION_ID_TOO_LONG(HttpStatus.BAD_REQUEST),
  /** Request line and headers over the limit (431, answered by Jetty). */
  HEADERS_TOO_LARGE(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE),
  /** A request line over the limit (414, answered by Jetty). */
  URI_TOO_LONG(HttpStatus.URI_TOO_LONG),
  /** A body that arrived slower than the minimum data rate (408). */
  REQUEST_TOO_SLOW(HttpStatus.REQUEST_TIMEOUT);

  private final HttpStatus status;

  Refusal(final HttpStatus status) {
    this.status = status;
  }

  /** The status a request refused for this reason is answered with. */
  public HttpStatus status() {
    return status;
  }
}
