package io.insession.evaluation;

import io.insession.data.Click;
import io.insession.evaluation.EvaluationReport.CutoffMetrics;
import io.insession.kafka.Topics;
import io.insession.schemas.EventType;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.ScoredItem;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.Candidate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Online evaluation: replays test sessions through a running topology (every click produced to the
 * weblog topic as a product view), reads back the lists the topology emitted, and scores them with
 * the same next-item metrics as {@link Evaluation} — so the figure includes everything the serving
 * path does (state in RocksDB, micro-batching, rules, serialization).
 *
 * <p>Event ids are {@code <session>#<position>}, which ties each list to its target. Event times
 * are synthetic (one second apart within a session, all sessions starting now), so that no session
 * expires during the replay; the click order of every session is kept.
 */
public final class TopologyReplay {

  private static final String POSITION_SEPARATOR = "#";

  private final Map<String, Object> clientProperties;
  private final Topics topics;
  private final Catalog catalog;
  private final List<Integer> cutoffs;

  /**
   * @param clientProperties bootstrap servers and security settings of the cluster
   * @param topics the topics the running topology reads and writes
   * @param catalog training items (coverage and popularity)
   * @param cutoffs ascending cut-offs
   */
  public TopologyReplay(
      final Map<String, Object> clientProperties,
      final Topics topics,
      final Catalog catalog,
      final List<Integer> cutoffs) {
    this.clientProperties = Map.copyOf(clientProperties);
    this.topics = topics;
    this.catalog = catalog;
    this.cutoffs = List.copyOf(cutoffs);
  }

  /**
   * Replays {@code test} and scores the emitted lists.
   *
   * @param timeout how long to wait for the last list
   * @return the metrics per cut-off
   * @throws TimeoutException when some clicks got no list in time
   */
  public List<CutoffMetrics> run(final Map<String, List<Click>> test, final Duration timeout)
      throws TimeoutException {
    return score(test, replay(test, timeout));
  }

  /**
   * Replays {@code test} and returns the emitted lists, keyed by their trigger event id ({@code
   * <session>#<position>}, {@link #eventId}).
   *
   * @param timeout how long to wait for the last list
   * @throws TimeoutException when some clicks got no list in time
   */
  public Map<String, RecommendationList> replay(
      final Map<String, List<Click>> test, final Duration timeout) throws TimeoutException {
    try (KafkaConsumer<String, byte[]> consumer = consumer()) {
      final List<TopicPartition> partitions =
          consumer.partitionsFor(topics.recommendations().name()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position);
      final int sent = produce(test);
      return collect(consumer, sent, timeout);
    }
  }

  /** The event id the replay gives the click at {@code position} of {@code session}. */
  public static String eventId(final String session, final int position) {
    return session + POSITION_SEPARATOR + position;
  }

  private int produce(final Map<String, List<Click>> test) {
    final Map<String, Object> props = new HashMap<>(clientProperties);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    // one second per click, ending now: no event time lies ahead of the stream's clock
    final long longest = test.values().stream().mapToLong(List::size).max().orElse(0);
    final Instant start = Instant.now().minusSeconds(longest);
    int sent = 0;
    try (KafkaProducer<String, WeblogEvent> producer =
        new KafkaProducer<>(
            props,
            topics.weblog().keySerde().serializer(),
            topics.weblog().valueSerde().serializer())) {
      for (final Map.Entry<String, List<Click>> session : test.entrySet()) {
        final List<Click> clicks = session.getValue();
        for (int position = 0; position < clicks.size(); position++) {
          final WeblogEvent event =
              WeblogEvent.newBuilder()
                  .setEventId(eventId(session.getKey(), position))
                  .setSessionId(session.getKey())
                  .setEventType(EventType.PRODUCT_VIEW)
                  .setItemId(clicks.get(position).itemId())
                  .setEventTime(start.plusSeconds(position))
                  .build();
          producer.send(
              new ProducerRecord<>(
                  topics.weblog().name(),
                  null,
                  event.getEventTime().toEpochMilli(),
                  event.getSessionId(),
                  event));
          sent++;
        }
      }
      producer.flush();
    }
    return sent;
  }

  private Map<String, RecommendationList> collect(
      final KafkaConsumer<String, byte[]> consumer, final int expected, final Duration timeout)
      throws TimeoutException {
    final Map<String, RecommendationList> byTrigger = new HashMap<>(expected * 2);
    final long deadline = System.nanoTime() + timeout.toNanos();
    while (byTrigger.size() < expected) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException(
            "only " + byTrigger.size() + " of " + expected + " lists arrived within " + timeout);
      }
      for (final ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
        final RecommendationList list =
            topics.recommendations().valueSerde().deserializer().deserialize("", record.value());
        byTrigger.put(list.getTriggerEventId(), list);
      }
    }
    return byTrigger;
  }

  private List<CutoffMetrics> score(
      final Map<String, List<Click>> test, final Map<String, RecommendationList> lists) {
    final MetricsAccumulator metrics = new MetricsAccumulator(cutoffs, catalog);
    for (final Map.Entry<String, List<Click>> session : test.entrySet()) {
      final List<Click> clicks = session.getValue();
      for (int position = 0; position + 1 < clicks.size(); position++) {
        final RecommendationList list = lists.get(eventId(session.getKey(), position));
        metrics.add(candidates(list), clicks.get(position + 1).itemId());
      }
    }
    return metrics.result();
  }

  private static List<Candidate> candidates(final RecommendationList list) {
    final List<Candidate> candidates = new ArrayList<>(list.getItems().size());
    for (final ScoredItem item : list.getItems()) {
      candidates.add(new Candidate(item.getItemId(), item.getScore()));
    }
    return candidates;
  }

  private KafkaConsumer<String, byte[]> consumer() {
    final Map<String, Object> props = new HashMap<>(clientProperties);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
  }
}
