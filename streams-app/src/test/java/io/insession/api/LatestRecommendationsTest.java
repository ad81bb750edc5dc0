package io.insession.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insession.avro.AvroSingleObjectSerde;
import io.insession.schemas.RecommendationList;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The reader's record handling and lifecycle on a {@link MockConsumer}. */
class LatestRecommendationsTest {

  private static final String TOPIC = "recs";
  private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final AvroSingleObjectSerde<RecommendationList> SERDE =
      AvroSingleObjectSerde.forType(RecommendationList.class);

  private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
  private final LatestRecommendations latest =
      new LatestRecommendations(LookupApiSettings.of("unused:9092", TOPIC), consumer);

  private static byte[] encoded(final RecommendationList list) {
    return SERDE.serialize(TOPIC, list);
  }

  private void topicWithEndOffset(final long end) {
    consumer.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, null, null, null)));
    consumer.updateBeginningOffsets(Map.of(TP, 0L));
    consumer.updateEndOffsets(Map.of(TP, end));
  }

  @Test
  void shouldKeepTheLatestListSkipBadOnesAndHonourTombstones() {
    topicWithEndOffset(5L);
    consumer.schedulePollTask(
        () -> {
          consumer.addRecord(
              new ConsumerRecord<>(TOPIC, 0, 0L, "s-1", encoded(TestLists.list("r1", "s-1", "a"))));
          consumer.addRecord(
              new ConsumerRecord<>(TOPIC, 0, 1L, null, encoded(TestLists.list("r2", "s-2", "b"))));
          consumer.addRecord(
              new ConsumerRecord<>(
                  TOPIC, 0, 2L, "s-3", "garbage".getBytes(StandardCharsets.UTF_8)));
          consumer.addRecord(
              new ConsumerRecord<>(TOPIC, 0, 3L, "s-2", encoded(TestLists.list("r3", "s-2", "c"))));
          consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 4L, "s-1", null));
        });
    assertThat(latest.readiness().ready()).isFalse();

    latest.start();
    await().atMost(TIMEOUT).until(() -> latest.readiness().ready());

    assertThat(latest.latest("s-1")).as("removed by the tombstone").isEmpty();
    assertThat(latest.latest("s-2"))
        .get()
        .extracting(RecommendationList::getRecommendationId)
        .isEqualTo("r3");
    assertThat(latest.latest("s-3")).isEmpty();
    assertThat(latest.recordsRead()).isEqualTo(5L);
    assertThat(latest.recordsSkipped()).isEqualTo(1L);
    assertThat(latest.isAlive()).isTrue();

    latest.close();
    latest.close();
    assertThat(consumer.closed()).isTrue();
    assertThat(latest.isAlive()).isFalse();
  }

  @Test
  void shouldBeReadyAtOnceOnAnEmptyTopic() {
    topicWithEndOffset(0L);
    latest.start();
    await().atMost(TIMEOUT).until(() -> latest.readiness().ready());
    latest.close();
  }

  @Test
  void shouldReportDeadWhenTheConsumerFailsForGood() {
    topicWithEndOffset(1L);
    consumer.setPollException(new KafkaException("broker says no"));
    latest.start();

    await().atMost(TIMEOUT).until(() -> !latest.isAlive());
    assertThat(latest.readiness().ready()).isFalse();
    assertThat(latest.readiness().waitingFor()).contains("broker says no");
    latest.close();
    assertThat(consumer.closed()).isTrue();
  }

  @Test
  void shouldCloseTheConsumerWhenClosedBeforeStart() {
    latest.close();
    assertThat(consumer.closed()).isTrue();
  }

  @Test
  void shouldEvictByBytesSoReReadingABigTopicCannotExhaustTheHeap() {
    final long maxBytes = 1024L * 1024;
    final int sessions = 2_000; // about 4 KB each: eight times the bound
    final MockConsumer<String, byte[]> big = new MockConsumer<>("earliest");
    big.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, null, null, null)));
    big.updateBeginningOffsets(Map.of(TP, 0L));
    big.updateEndOffsets(Map.of(TP, (long) sessions));
    final String[] items = new String[20];
    for (int i = 0; i < items.length; i++) {
      items[i] = "item-" + (100_000_000 + i);
    }
    big.schedulePollTask(
        () -> {
          for (int i = 0; i < sessions; i++) {
            final String session = "session-" + i;
            big.addRecord(
                new ConsumerRecord<>(
                    TOPIC, 0, i, session, encoded(TestLists.list("r-" + i, session, items))));
          }
        });
    final int weight =
        LatestRecommendations.weight(
            "session-0",
            TestLists.list("r-0", "session-0", items),
            RecommendationView.toJson(TestLists.list("r-0", "session-0", items)));
    try (LatestRecommendations bounded =
        new LatestRecommendations(
            LookupApiSettings.of("unused:9092", TOPIC)
                .withCache(1_000_000L, Duration.ofMinutes(30))
                .withCacheMaxBytes(maxBytes),
            big)) {
      bounded.start();
      await().atMost(TIMEOUT).until(() -> bounded.readiness().ready());

      assertThat(bounded.recordsRead()).isEqualTo(sessions);
      assertThat(bounded.isAlive()).isTrue();
      await().atMost(TIMEOUT).until(() -> bounded.cachedBytes() <= maxBytes);
      assertThat(bounded.cachedSessions())
          .as("what fits in the bound stays, the rest was evicted")
          .isLessThan(sessions)
          .isGreaterThanOrEqualTo(maxBytes / weight / 2);
    }
  }

  @Test
  void shouldStillBoundTheNumberOfSessions() {
    topicWithEndOffset(30L);
    consumer.schedulePollTask(
        () -> {
          for (int i = 0; i < 30; i++) {
            consumer.addRecord(
                new ConsumerRecord<>(
                    TOPIC, 0, i, "s-" + i, encoded(TestLists.list("r-" + i, "s-" + i, "a"))));
          }
        });
    try (LatestRecommendations bounded =
        new LatestRecommendations(
            LookupApiSettings.of("unused:9092", TOPIC).withCache(10L, Duration.ofMinutes(30)),
            consumer)) {
      bounded.start();
      await().atMost(TIMEOUT).until(() -> bounded.readiness().ready());

      await().atMost(TIMEOUT).until(() -> bounded.cachedSessions() <= 10L);
      assertThat(bounded.recordsRead()).isEqualTo(30L);
    }
  }

  @Test
  void shouldEstimateAtLeastTheJsonAndTwoBytesPerCharacter() {
    final RecommendationList list = TestLists.list("r-1", "s-1", "i-1", "i-2");
    final byte[] json = RecommendationView.toJson(list);

    final int weight = LatestRecommendations.weight("s-1", list, json);

    assertThat(weight)
        .isGreaterThan(json.length + LatestRecommendations.ENTRY_OVERHEAD)
        .isEqualTo(
            LatestRecommendations.ENTRY_OVERHEAD
                + json.length
                + 7 * 48
                + 2 * ("s-1" + "r-1" + "s-1" + "gru4rec" + "2026-11-23.1" + "B" + "ev-r-1").length()
                + 2 * (LatestRecommendations.ITEM_OVERHEAD + 48 + 2 * 3));
  }
}
