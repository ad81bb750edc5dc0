package io.insession.catalog;

import io.insession.config.InSessionConfig;
import io.insession.kafka.TopicFollower;
import io.insession.kafka.Topics;
import io.insession.schemas.CatalogItem;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The catalogue in the lookup API's memory: a {@link CompactedTopicFollower} reads every partition
 * of the catalogue topic from the beginning (committed records only) and follows it, keeping each
 * item's latest record (a tombstone removes it). Heap grows with the catalogue, so the lookup API
 * reads it only when {@code insession.api.catalog.enabled} is set.
 */
public final class CatalogFollower implements ItemCatalog, AutoCloseable {

  private final Map<String, CatalogItem> items = new ConcurrentHashMap<>();
  private final TopicFollower<CatalogItem> follower;

  /** Creates and starts the follower of {@code config}'s catalogue topic. */
  public static CatalogFollower start(final InSessionConfig config) {
    return new CatalogFollower(config);
  }

  private CatalogFollower(final InSessionConfig config) {
    this.follower =
        TopicFollower.start(config, Topics.from(config).catalog(), "catalog", this::apply);
  }

  private void apply(final String itemId, final CatalogItem item) {
    if (item == null) {
      items.remove(itemId);
    } else {
      items.put(itemId, item);
    }
  }

  @Override
  public CatalogItem item(final String itemId) {
    return items.get(itemId);
  }

  /** How many items it holds now. */
  public int size() {
    return items.size();
  }

  @Override
  public void close() {
    follower.close();
  }
}
