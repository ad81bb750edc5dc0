package io.insession.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.insession.http.Refusal;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * Checks the nesting depth and array lengths of a JSON body by streaming over its tokens, before
 * anything is built from it, so a deeply nested or very long body costs no more than reading it.
 * Malformed JSON passes here: the parser that reads the body next says what is wrong with it.
 */
final class JsonShape {

  /**
   * Why a body is refused.
   *
   * @param reason {@link Refusal#JSON_TOO_DEEP} or {@link Refusal#JSON_ARRAY_TOO_LONG}
   * @param message for people
   */
  record Problem(Refusal reason, String message) {}

  private final int maxDepth;
  private final int maxArrayElements;
  private final JsonFactory factory;

  JsonShape(final int maxDepth, final int maxArrayElements) {
    this.maxDepth = maxDepth;
    this.maxArrayElements = maxArrayElements;
    // Jackson's own guard stays above ours, so ours answers first with its own code
    this.factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder().maxNestingDepth(maxDepth + 1).build())
            .build();
  }

  /** The first limit {@code body} breaks, if any. */
  Optional<Problem> check(final String body) {
    final Deque<int[]> arrays = new ArrayDeque<>();
    int depth = 0;
    try (JsonParser parser = factory.createParser(body)) {
      JsonToken token;
      while ((token = parser.nextToken()) != null) {
        if (!arrays.isEmpty() && arrays.peek()[0] == depth && isValueStart(token)) {
          if (++arrays.peek()[1] > maxArrayElements) {
            return Optional.of(
                new Problem(
                    Refusal.JSON_ARRAY_TOO_LONG,
                    "a JSON array has more than " + maxArrayElements + " elements"));
          }
        }
        if (token == JsonToken.START_ARRAY || token == JsonToken.START_OBJECT) {
          depth++;
          if (depth > maxDepth) {
            return Optional.of(
                new Problem(
                    Refusal.JSON_TOO_DEEP,
                    "the JSON is nested deeper than " + maxDepth + " levels"));
          }
          if (token == JsonToken.START_ARRAY) {
            arrays.push(new int[] {depth, 0});
          }
        } else if (token == JsonToken.END_ARRAY || token == JsonToken.END_OBJECT) {
          if (token == JsonToken.END_ARRAY) {
            arrays.pop();
          }
          depth--;
        }
      }
    } catch (IOException e) {
      return Optional.empty(); // malformed: EventParser answers it
    }
    return Optional.empty();
  }

  private static boolean isValueStart(final JsonToken token) {
    return token != JsonToken.END_ARRAY
        && token != JsonToken.END_OBJECT
        && token != JsonToken.FIELD_NAME;
  }
}
