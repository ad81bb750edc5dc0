package io.insession.topology;

import io.insession.avro.AvroSingleObjectSerde;
import io.insession.kafka.Topics;
import io.insession.schemas.CatalogItem;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.WeblogEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * A {@link TopologyTestDriver} over the recommender topology on the production Streams properties,
 * fed catalogue records and weblog events (the catalogue and content route tests).
 */
final class CatalogTopologyDriver implements AutoCloseable {

  private final TopologyTestDriver driver;
  private final TestInputTopic<byte[], byte[]> weblog;
  private final TestInputTopic<String, CatalogItem> catalog;
  private final TestOutputTopic<String, RecommendationList> recommendations;

  CatalogTopologyDriver(
      final Topology topology, final Topics topics, final String applicationId, final Instant now) {
    driver =
        new TopologyTestDriver(topology, TopologyTestProperties.production(applicationId), now);
    weblog =
        driver.createInputTopic(
            topics.weblog().name(),
            Serdes.ByteArray().serializer(),
            Serdes.ByteArray().serializer());
    catalog =
        driver.createInputTopic(
            topics.catalog().name(),
            topics.catalog().keySerde().serializer(),
            topics.catalog().valueSerde().serializer());
    recommendations =
        driver.createOutputTopic(
            topics.recommendations().name(),
            topics.recommendations().keySerde().deserializer(),
            topics.recommendations().valueSerde().deserializer());
  }

  /** Writes an item's catalogue record at {@code time}. */
  void put(final CatalogItem item, final Instant time) {
    catalog.pipeInput(item.getItemId(), item, time);
  }

  /** Writes an item's tombstone at {@code time}. */
  void delete(final String itemId, final Instant time) {
    catalog.pipeInput(itemId, null, time);
  }

  /** Sends {@code event} (at its own time) and returns the lists it made. */
  List<RecommendationList> listsAfter(final WeblogEvent event) {
    weblog.pipeInput(
        event.getSessionId().getBytes(StandardCharsets.UTF_8),
        AvroSingleObjectSerde.forType(WeblogEvent.class).serialize("t", event),
        event.getEventTime());
    return recommendations.readValuesToList();
  }

  @Override
  public void close() {
    driver.close();
  }
}
