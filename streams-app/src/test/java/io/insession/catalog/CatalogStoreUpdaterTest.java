package io.insession.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.insession.content.ContentIndex;
import io.insession.kafka.ValueSerdes;
import io.insession.schemas.CatalogItem;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The catalogue store's updater tells its listener (the content route's index) of the store as
 * restored at start and of every record after.
 */
class CatalogStoreUpdaterTest {

  private static final Instant LISTED = Instant.parse("2026-11-27T10:00:00Z");

  private final MockProcessorContext<Void, Void> context = new MockProcessorContext<>();
  private KeyValueStore<String, CatalogItem> store;

  @BeforeEach
  void store() {
    store =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(CatalogStore.STORE_NAME),
                Serdes.String(),
                ValueSerdes.storeValue(CatalogItem.class))
            .withLoggingDisabled()
            .build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static CatalogItem item(final String id, final String category) {
    return CatalogItem.newBuilder()
        .setItemId(id)
        .setTitle("Synthetic item " + id)
        .setCategoryPath(List.of(category))
        .setFirstSeen(LISTED)
        .setSynthetic(true)
        .build();
  }

  private static List<String> items(final ContentIndex index, final String token) {
    return index.items(token).stream().map(ContentIndex.Entry::itemId).toList();
  }

  @Test
  void shouldRebuildTheIndexFromTheRestoredStoreAndFollowEveryRecord() {
    store.put("a", item("a", "Shoes"));
    store.put("b", item("b", "Shoes"));
    final ContentIndex index = new ContentIndex(10);
    final CatalogStore.Updater updater = new CatalogStore.Updater(index);

    updater.init(context);
    assertThat(index.size()).isEqualTo(2);
    assertThat(items(index, "c:shoes")).containsExactlyInAnyOrder("a", "b");

    updater.process(new Record<>("c", item("c", "Shoes"), 0L));
    updater.process(new Record<>("a", item("a", "Garden"), 0L));
    updater.process(new Record<String, CatalogItem>("b", null, 0L));

    assertThat(store.get("b")).isNull();
    assertThat(store.get("a").getCategoryPath()).containsExactly("Garden");
    assertThat(index.size()).isEqualTo(2);
    assertThat(items(index, "c:shoes")).containsExactly("c");
    assertThat(items(index, "c:garden")).containsExactly("a");
  }
}
