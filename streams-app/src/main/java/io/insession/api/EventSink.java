package io.insession.api;

import io.insession.schemas.WeblogEvent;
import java.util.List;

/** Where the event collector writes accepted events: the weblog topic, or a stub in tests. */
public interface EventSink extends AutoCloseable {

  /**
   * Writes {@code events} and returns once all of them are acknowledged.
   *
   * @throws NotAcknowledgedException when they are not all acknowledged in time; some of them may
   *     have been written all the same
   */
  void write(List<WeblogEvent> events);

  /** Releases the sink's resources. */
  @Override
  void close();
}
