package io.insession.runtime;

import io.insession.config.InSessionConfig;
import io.insession.kafka.TopicSetup;
import io.insession.kafka.Topics;
import io.insession.metrics.TopologyMetrics;
import io.insession.scoring.CurrentVariants;
import io.insession.scoring.ScorerVariants;
import io.insession.scoring.SessionScorer;
import io.insession.state.BoundedRocksDbMemory;
import io.insession.topology.ContinueProductionExceptionHandler;
import io.insession.topology.RecommenderTopology;
import io.insession.topology.RecordProcessingExceptionHandler;
import io.insession.topology.SafeTimestampExtractor;
import io.insession.topology.TopologySettings;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;

/** The recommender topology as the settings describe it, ready to start in a runner. */
public final class RecommenderStreams {

  private static final Duration DESCRIBE_TIMEOUT = Duration.ofSeconds(30);

  private RecommenderStreams() {}

  /**
   * A runner (not started) of the topology over {@code variants}, recording into {@code metrics}.
   * The weblog topic must exist: its partition count decides which records sit on another partition
   * than their key's murmur2 one (see {@link RecommenderTopology}); so must the topics of the
   * global stores ({@link InSessionTopics#globalStores}: the catalogue and, with live trending on,
   * the trending topic), else this fails naming the missing one and the setting that does without
   * it. The warm-up of every variant's scorer starts now, in the background ({@link ScorerWarmup});
   * the runner's readiness waits for it.
   */
  public static StreamsRunner create(
      final InSessionConfig config, final ScorerVariants variants, final TopologyMetrics metrics) {
    return create(
        config,
        new CurrentVariants(variants),
        metrics,
        ScorerWarmup.start(variants, config.getInt(InSessionConfig.SCORING_BATCH_MAX_SIZE)));
  }

  /**
   * The same over the set {@code variants} serves now, which a deployment may replace (the warm-up
   * covers the set served at start).
   */
  public static StreamsRunner create(
      final InSessionConfig config, final CurrentVariants variants, final TopologyMetrics metrics) {
    return create(
        config,
        variants,
        metrics,
        ScorerWarmup.start(variants.get(), config.getInt(InSessionConfig.SCORING_BATCH_MAX_SIZE)));
  }

  /** The same over one scorer: a single variant, {@value ScorerVariants#DEFAULT}. */
  public static StreamsRunner create(
      final InSessionConfig config, final SessionScorer scorer, final TopologyMetrics metrics) {
    return create(config, ScorerVariants.single(scorer), metrics);
  }

  /** The same with a given warm-up ({@link ScorerWarmup#none()}: none, e.g. in tests). */
  public static StreamsRunner create(
      final InSessionConfig config,
      final SessionScorer scorer,
      final TopologyMetrics metrics,
      final ScorerWarmup warmup) {
    return create(config, new CurrentVariants(ScorerVariants.single(scorer)), metrics, warmup);
  }

  private static StreamsRunner create(
      final InSessionConfig config,
      final CurrentVariants variants,
      final TopologyMetrics metrics,
      final ScorerWarmup warmup) {
    try {
      final Topics topics = Topics.from(config);
      final TopologySettings settings = TopologySettings.from(config);
      final int weblogPartitions;
      try (Admin admin = Admin.create(config.clientProperties())) {
        // a global store's missing topic would stop Kafka Streams after start; name it now
        TopicSetup.requireTopics(
            admin,
            InSessionTopics.globalStores(config, settings.rules().needsCatalog()),
            DESCRIBE_TIMEOUT);
        weblogPartitions =
            TopicSetup.partitionCount(admin, topics.weblog().name(), DESCRIBE_TIMEOUT);
      }
      return new StreamsRunner(
          RecommenderTopology.build(
              settings, variants, topics, Clock.systemUTC(), metrics, weblogPartitions),
          streamsProperties(config),
          warmup,
          config.getBoolean(InSessionConfig.STREAMS_LEAVE_GROUP_ON_CLOSE));
    } catch (RuntimeException e) {
      warmup.close();
      throw e;
    }
  }

  /** The same without metrics. */
  public static StreamsRunner create(final InSessionConfig config, final SessionScorer scorer) {
    return create(config, scorer, TopologyMetrics.NONE);
  }

  /**
   * The Streams properties the recommender runs with (topology tests use them too): the config's
   * {@link InSessionConfig#streamsSettings()}, plus the classes that carry them out, each unless
   * the user set it explicitly. No single record may stop the application (issue 9;
   * docs/bad-input.md):
   *
   * <ul>
   *   <li>{@code rocksdb.config.setter}: {@link BoundedRocksDbMemory}, one memory budget for every
   *       RocksDB store of the process (the {@code insession.rocksdb.*} settings).
   *   <li>{@code default.timestamp.extractor}: {@link SafeTimestampExtractor}; Kafka's default
   *       throws on a negative record timestamp.
   *   <li>{@code processing.exception.handler}: {@link RecordProcessingExceptionHandler}, a failure
   *       on one record is dead-lettered (Kafka Streams' {@code __streams.errors.*} headers) and
   *       processing continues; a failure of the scoring processor, which holds a micro-batch of
   *       many sessions, fails so the batch is scored again from the last commit.
   *   <li>{@code deserialization.exception.handler}: log and continue, with a dead letter. The
   *       weblog source reads raw bytes (the topology decodes them), so this only guards other
   *       inputs.
   *   <li>{@code production.exception.handler}: {@link ContinueProductionExceptionHandler}, a
   *       record Kafka refuses (too large, bad timestamp) is skipped with a reference dead letter;
   *       Kafka's default fails the application.
   *   <li>{@code errors.dead.letter.queue.topic.name}: InSession's dead-letter topic, so Kafka
   *       Streams' own dead letters sit beside InSession's.
   * </ul>
   */
  public static Properties streamsProperties(final InSessionConfig config) {
    final Properties p = config.streamsSettings();
    p.putIfAbsent(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class);
    p.putIfAbsent(
        StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, SafeTimestampExtractor.class);
    p.putIfAbsent(
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
        RecordProcessingExceptionHandler.class);
    p.putIfAbsent(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        LogAndContinueExceptionHandler.class);
    p.putIfAbsent(
        StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
        ContinueProductionExceptionHandler.class);
    p.putIfAbsent(
        StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG,
        Topics.from(config).deadLetter().name());
    return p;
  }
}
