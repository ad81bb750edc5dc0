package io.insession.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;

/** A tiny JSON-over-HTTP client for the API tests: {@link HttpText} with the body parsed. */
public final class HttpJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final HttpText text;

  public HttpJson(final int port) {
    this(new HttpText(port));
  }

  private HttpJson(final HttpText text) {
    this.text = text;
  }

  /** The same client, sending {@code key} as {@code X-Api-Key} with every request. */
  public HttpJson withApiKey(final String key) {
    return new HttpJson(text.withApiKey(key));
  }

  /** An answer: status, content type and parsed body. */
  public record Answer(int status, String contentType, JsonNode body) {}

  public Answer get(final String path) {
    return parsed(path, text.get(path));
  }

  public Answer delete(final String path) {
    return parsed(path, text.delete(path));
  }

  private static Answer parsed(final String path, final HttpText.Answer answer) {
    try {
      return new Answer(answer.status(), answer.contentType(), MAPPER.readTree(answer.body()));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("not JSON from " + path + ": " + answer.body(), e);
    }
  }
}
