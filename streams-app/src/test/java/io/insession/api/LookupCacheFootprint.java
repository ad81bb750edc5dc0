package io.insession.api;

import io.insession.avro.AvroSingleObjectSerde;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.ScoredItem;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures the heap one cached session takes in the lookup API, with the default settings (lists of
 * 20 items, UUID session, list and event ids, 9-digit item ids), against the estimate the cache is
 * bounded by ({@link LatestRecommendations#weight}). Not a test: a measurement to run by hand,
 *
 * <pre>{@code
 * mvn -q -o -pl streams-app -am test-compile
 * java -Xmx2g -cp "streams-app/target/test-classes:streams-app/target/classes:$(cat cp.txt)" \
 *     io.insession.api.LookupCacheFootprint 200000
 * }</pre>
 *
 * where {@code cp.txt} comes from {@code mvn -q -o -pl streams-app dependency:build-classpath
 * -Dmdep.outputFile=$PWD/cp.txt}.
 */
public final class LookupCacheFootprint {

  private static final Logger LOG = LoggerFactory.getLogger(LookupCacheFootprint.class);
  private static final String TOPIC = "recs";
  private static final int ITEMS = 20;

  private LookupCacheFootprint() {}

  /**
   * Fills the cache with {@code args[0]} sessions (default 200,000) and logs the heap per session.
   *
   * @param args the number of sessions
   * @throws InterruptedException when interrupted while waiting for the reader
   */
  public static void main(final String[] args) throws InterruptedException {
    final int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    final AvroSingleObjectSerde<RecommendationList> serde =
        AvroSingleObjectSerde.forType(RecommendationList.class);
    final TopicPartition tp = new TopicPartition(TOPIC, 0);
    final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
    consumer.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, null, null, null)));
    consumer.updateBeginningOffsets(Map.of(tp, 0L));
    consumer.updateEndOffsets(Map.of(tp, (long) sessions));
    final List<byte[]> values = new ArrayList<>(sessions);
    final List<String> keys = new ArrayList<>(sessions);
    for (int i = 0; i < sessions; i++) {
      final String sessionId = UUID.randomUUID().toString();
      keys.add(sessionId);
      values.add(serde.serialize(TOPIC, list(sessionId, i)));
    }
    final LookupApiSettings settings =
        LookupApiSettings.of("unused:9092", TOPIC)
            .withCache(Long.MAX_VALUE / 2, LookupApiSettings.DEFAULT_CACHE_TTL)
            .withCacheMaxBytes(Long.MAX_VALUE / 2);
    final LatestRecommendations latest = new LatestRecommendations(settings, consumer);
    consumer.schedulePollTask(
        () -> {
          for (int i = 0; i < sessions; i++) {
            consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, i, keys.get(i), values.get(i)));
          }
          keys.clear();
          values.clear();
        });
    final long before = usedHeap();
    latest.start();
    while (!latest.readiness().ready()) {
      TimeUnit.MILLISECONDS.sleep(100);
    }
    final long after = usedHeap();
    final double measured = (after - before) / (double) latest.cachedSessions();
    final double estimated = latest.cachedBytes() / (double) latest.cachedSessions();
    LOG.info(
        "{} sessions cached: measured {} bytes of heap per session, estimated {} (cache weight)",
        latest.cachedSessions(),
        Math.round(measured),
        Math.round(estimated));
    latest.close();
  }

  private static RecommendationList list(final String sessionId, final int seed) {
    final List<ScoredItem> items = new ArrayList<>(ITEMS);
    for (int i = 0; i < ITEMS; i++) {
      items.add(
          ScoredItem.newBuilder()
              .setItemId(String.valueOf(200_000_000 + (seed * 31 + i * 7919) % 100_000_000))
              .setScore(1.0f - i * 0.01f)
              .build());
    }
    return RecommendationList.newBuilder()
        .setRecommendationId(UUID.randomUUID().toString())
        .setSessionId(sessionId)
        .setItems(items)
        .setModelName("gru4rec")
        .setModelVersion("2026-11-23.1")
        .setVariant("default")
        .setFallback(false)
        .setTriggerEventId(UUID.randomUUID().toString())
        .setTriggerEventTime(Instant.parse("2026-11-23T10:15:30.123Z"))
        .setEmittedAt(Instant.parse("2026-11-23T10:15:30.140Z"))
        .build();
  }

  private static long usedHeap() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
