package io.insession.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every InSession setting: one key, its doc, default and validation, in one place.
 *
 * <p>Where a value comes from, later wins: defaults in code, a properties file, environment
 * variables, then command-line overrides. Keys starting with {@code insession.} are InSession's
 * own; every other key is a Kafka client or Streams setting and passes through unchanged (security
 * settings included). Environment variables map to keys by one rule: {@code
 * INSESSION_SESSION_GAP_MS} is {@code insession.session.gap.ms} and {@code KAFKA_BOOTSTRAP_SERVERS}
 * is {@code bootstrap.servers} (prefix kept or dropped, lower case, underscores to dots).
 *
 * <p>An unknown {@code insession.*} key in a file or an override is an error (a typo should fail),
 * but one that comes from the environment is ignored with a warning: Kubernetes puts service-link
 * variables such as {@code INSESSION_LOOKUP_SERVICE_HOST} into every pod. Variables shaped like
 * service links ({@code *_SERVICE_HOST}, {@code *_PORT_8080_TCP_ADDR}, ...) are ignored for the
 * {@code KAFKA_} prefix too (a Service named {@code kafka} would otherwise pass {@code port} to
 * Kafka).
 *
 * <p>The application id has one key, {@value #APPLICATION_ID}: it names the Streams group and is
 * what the lag monitor and readiness watch. Kafka's own {@code application.id} (e.g. {@code
 * KAFKA_APPLICATION_ID}) is accepted as another spelling of it; setting both to different values is
 * an error.
 */
public final class InSessionConfig extends AbstractConfig {

  /** Prefix of InSession's own keys; all other keys go to Kafka. */
  public static final String PREFIX = "insession.";

  public static final String APPLICATION_ID = "insession.application.id";
  public static final String KAFKA_CONNECT_TIMEOUT_MS = "insession.kafka.connect.timeout.ms";

  // --- high availability (issue 14, point 4; docs/high-availability.md) ------------------------
  public static final String INSTANCE_ID = "insession.instance.id";
  public static final String STREAMS_SESSION_TIMEOUT_MS = "insession.streams.session.timeout.ms";
  public static final String STREAMS_LEAVE_GROUP_ON_CLOSE =
      "insession.streams.leave.group.on.close";
  public static final String WEBLOG_TOPIC = "insession.topic.weblog";
  public static final String DEAD_LETTER_TOPIC = "insession.topic.dead.letter";
  public static final String RECOMMENDATIONS_TOPIC = "insession.topic.recommendations";
  public static final String DEPLOYMENTS_TOPIC = "insession.topic.deployments";
  public static final String CATALOG_TOPIC = "insession.topic.catalog";
  public static final String TRENDING_TOPIC = "insession.topic.trending";
  public static final String EXPERIMENTS_TOPIC = "insession.topic.experiments";
  public static final String TOPIC_PARTITIONS = "insession.topic.partitions";
  public static final String TOPIC_REPLICATION_FACTOR = "insession.topic.replication.factor";
  public static final String RECOMMENDATIONS_RETENTION_MS =
      "insession.topic.recommendations.retention.ms";
  public static final String RECOMMENDATIONS_SEGMENT_MS =
      "insession.topic.recommendations.segment.ms";
  public static final String SERDE = "insession.serde";
  public static final String SERDE_REGISTRY_URL = "insession.serde.registry.url";
  public static final String SESSION_GAP_MS = "insession.session.gap.ms";
  public static final String SESSION_EXPIRY_SCAN_INTERVAL_MS =
      "insession.session.expiry.scan.interval.ms";
  public static final String SESSION_RECENT_ITEMS = "insession.session.recent.items";
  public static final String RECOMMENDATIONS_COUNT = "insession.recommendations.count";
  public static final String RULE_EXCLUDE_SEEN = "insession.rules.exclude.seen";
  public static final String RULES_CHAIN = "insession.rules.chain";
  public static final String RULES_VARIANT_CHAINS = "insession.rules.chain.variants";
  public static final String RULES_CATEGORY_MAX_ITEMS = "insession.rules.category.max.items";
  public static final String RULES_CATEGORY_DEPTH = "insession.rules.category.depth";
  public static final String RULES_CAMPAIGNS = "insession.rules.campaigns";
  public static final String RULES_BACKFILL = "insession.rules.backfill";
  public static final String TRENDING_ENABLED = "insession.trending.enabled";
  public static final String TRENDING_HALF_LIFE_MS = "insession.trending.half.life.ms";
  public static final String TRENDING_TOP_N = "insession.trending.top.n";
  public static final String TRENDING_PUBLISH_INTERVAL_MS =
      "insession.trending.publish.interval.ms";
  public static final String TRENDING_MIN_SCORE = "insession.trending.min.score";
  public static final String CONTENT_NEW_ITEM_AGE_MS = "insession.content.new.item.age.ms";
  public static final String CONTENT_NEW_ITEM_SLOTS = "insession.content.new.item.slots";
  public static final String CONTENT_MIN_SIMILARITY = "insession.content.min.similarity";
  public static final String CONTENT_SESSION_ITEMS = "insession.content.session.items";
  public static final String CONTENT_INDEX_ITEMS_PER_TOKEN =
      "insession.content.index.items.per.token";
  public static final String MODEL_BUNDLE = "insession.model.bundle";
  public static final String VARIANTS = "insession.variants";
  public static final String VARIANTS_SALT = "insession.variants.salt";

  // --- experiments (issue 11): attribution and live KPIs per variant (docs/experiments.md) -----
  public static final String EXPERIMENTS_ENABLED = "insession.experiments.enabled";
  public static final String EXPERIMENTS_ATTRIBUTION_LISTS =
      "insession.experiments.attribution.lists";
  public static final String EXPERIMENTS_WINDOW_MS = "insession.experiments.window.ms";
  public static final String EXPERIMENTS_WINDOWS_RETAINED =
      "insession.experiments.windows.retained";
  public static final String EXPERIMENTS_EMIT_INTERVAL_MS =
      "insession.experiments.emit.interval.ms";
  public static final String EXPERIMENTS_CONTROL = "insession.experiments.control";
  public static final String EXPERIMENTS_CONFIDENCE = "insession.experiments.confidence";

  // --- canary (issue 11 point 4): models canary, docs/roll-outs.md "Canary" -------------------
  public static final String CANARY_STEPS = "insession.canary.steps";
  public static final String CANARY_STEP_MIN_SESSIONS = "insession.canary.step.min.sessions";
  public static final String CANARY_MAX_STEP_MS = "insession.canary.max.step.ms";
  public static final String CANARY_ON_TIMEOUT = "insession.canary.on.timeout";
  public static final String CANARY_METRIC = "insession.canary.metric";
  public static final String CANARY_MARGIN = "insession.canary.margin";
  public static final String CANARY_CHECK_INTERVAL_MS = "insession.canary.check.interval.ms";
  public static final String SCORING_DEVICE = "insession.scoring.device";
  public static final String SCORING_DEVICE_ID = "insession.scoring.device.id";
  public static final String SCORING_INTRA_OP_THREADS = "insession.scoring.intra.op.threads";
  public static final String SCORING_BATCH_MAX_SIZE = "insession.scoring.batch.max.size";
  public static final String SCORING_BATCH_MAX_DELAY_MS = "insession.scoring.batch.max.delay.ms";
  public static final String SCORING_BATCH_EAGER = "insession.scoring.batch.eager";
  public static final String API_PORT = "insession.api.port";
  public static final String API_CACHE_MAX_SESSIONS = "insession.api.cache.max.sessions";
  public static final String API_COLLECTOR_ENABLED = "insession.api.collector.enabled";
  public static final String API_CATALOG_ENABLED = "insession.api.catalog.enabled";
  public static final String API_COLLECTOR_MAX_BATCH_EVENTS =
      "insession.api.collector.max.batch.events";
  public static final String API_COLLECTOR_ACK_TIMEOUT_MS =
      "insession.api.collector.ack.timeout.ms";
  public static final String API_COLLECTOR_WAIT_MAX_REQUESTS =
      "insession.api.collector.wait.max.requests";
  public static final String API_HTTP_MAX_THREADS = "insession.api.http.max.threads";
  public static final String API_STREAM_MAX_SUBSCRIBERS = "insession.api.stream.max.subscribers";
  public static final String API_STREAM_HEARTBEAT_MS = "insession.api.stream.heartbeat.ms";
  public static final String API_MAX_REQUEST_BYTES = "insession.api.max.request.bytes";
  public static final String API_IDLE_TIMEOUT_MS = "insession.api.idle.timeout.ms";
  public static final String API_CACHE_MAX_BYTES = "insession.api.cache.max.bytes";
  public static final String API_READY_BROKER_GRACE_MS = "insession.api.ready.broker.grace.ms";
  public static final String API_BIND_ADDRESS = "insession.api.bind.address";
  public static final String API_METRICS_PORT = "insession.api.metrics.port";
  public static final String METRICS_BIND_ADDRESS = "insession.metrics.bind.address";

  // --- HTTP security (issue 14): authentication, scopes, CORS, rate and size limits -----------
  public static final String API_AUTH = "insession.api.auth";
  public static final String API_AUTH_KEYS_FILE = "insession.api.auth.keys.file";
  public static final String API_AUTH_KEYS_ENV = "insession.api.auth.keys.env";
  public static final String API_AUTH_JWKS_FILE = "insession.api.auth.jwks.file";
  public static final String API_AUTH_JWT_ISSUER = "insession.api.auth.jwt.issuer";
  public static final String API_AUTH_JWT_AUDIENCE = "insession.api.auth.jwt.audience";
  public static final String API_AUTH_RELOAD_INTERVAL_MS = "insession.api.auth.reload.interval.ms";
  public static final String API_CORS_ALLOWED_ORIGINS = "insession.api.cors.allowed.origins";
  public static final String API_CORS_MAX_AGE_S = "insession.api.cors.max.age.s";
  public static final String API_RATE_PER_KEY = "insession.api.rate.per.key";
  public static final String API_RATE_PER_KEY_BURST = "insession.api.rate.per.key.burst";
  public static final String API_RATE_PER_ADDRESS = "insession.api.rate.per.address";
  public static final String API_RATE_PER_ADDRESS_BURST = "insession.api.rate.per.address.burst";
  public static final String API_MAX_HEADER_BYTES = "insession.api.max.header.bytes";
  public static final String API_MAX_JSON_DEPTH = "insession.api.max.json.depth";
  public static final String API_MAX_JSON_ARRAY_ELEMENTS = "insession.api.max.json.array.elements";
  public static final String API_MIN_REQUEST_BYTES_PER_S = "insession.api.min.request.bytes.per.s";
  public static final String API_STREAM_MAX_PER_CLIENT = "insession.api.stream.max.per.client";

  /** {@link #API_AUTH}: every route but health, readiness and CORS preflights needs a key. */
  public static final String AUTH_REQUIRED = "required";

  /** {@link #API_AUTH}: no authentication at all (local demos); logged as a warning at start. */
  public static final String AUTH_NONE = "none";

  public static final String METRICS_PORT = "insession.metrics.port";
  public static final String METRICS_LAG_INTERVAL_MS = "insession.metrics.lag.interval.ms";
  public static final String METRICS_READY_BROKER_GRACE_MS =
      "insession.metrics.ready.broker.grace.ms";
  public static final String METRICS_READY_LAG_STALL_MS = "insession.metrics.ready.lag.stall.ms";
  public static final String ROCKSDB_MEMORY_BYTES = "insession.rocksdb.memory.bytes";
  public static final String ROCKSDB_MEMTABLE_FRACTION = "insession.rocksdb.memtable.fraction";
  public static final String ROCKSDB_WRITE_BUFFER_COUNT = "insession.rocksdb.write.buffer.count";

  // --- stream safety (issue 9): event-time window, size limits, idempotency -------------------
  public static final String EVENT_TIME_MAX_FUTURE_MS = "insession.event.time.max.future.ms";
  public static final String EVENT_TIME_MAX_PAST_MS = "insession.event.time.max.past.ms";
  public static final String EVENT_MAX_SESSION_ID_CHARS = "insession.event.max.session.id.chars";
  public static final String EVENT_MAX_EVENT_ID_CHARS = "insession.event.max.event.id.chars";
  public static final String EVENT_MAX_USER_ID_CHARS = "insession.event.max.user.id.chars";
  public static final String EVENT_MAX_ITEM_ID_CHARS = "insession.event.max.item.id.chars";
  public static final String EVENT_MAX_ATTRIBUTES = "insession.event.max.attributes";
  public static final String EVENT_MAX_ATTRIBUTE_CHARS = "insession.event.max.attribute.chars";
  public static final String EVENT_MAX_RECORD_BYTES = "insession.event.max.record.bytes";
  public static final String SESSION_RECENT_EVENT_IDS = "insession.session.recent.event.ids";
  public static final String SESSION_STATE_MAX_BYTES = "insession.session.state.max.bytes";

  // --- model registry (issue 10) --------------------------------------------------------------
  public static final String REGISTRY_DIR = "insession.registry.dir";

  /** PEM file of the Ed25519 key that publishing signs versions with (empty: unsigned). */
  public static final String REGISTRY_SIGN_KEY = "insession.registry.sign.key";

  /** PEM file of the Ed25519 keys a served version must be signed by (empty: not checked). */
  public static final String REGISTRY_VERIFY_KEYS = "insession.registry.verify.keys";

  // --- retraining from the weblog topic (issue 11 point 5, docs/retraining.md) ----------------
  /** The Python interpreter that runs model-exporter for {@code models retrain}. */
  public static final String RETRAIN_PYTHON = "insession.retrain.python";

  /** The model-exporter directory (holding the package {@code insession_exporter}). */
  public static final String RETRAIN_EXPORTER_DIR = "insession.retrain.exporter.dir";

  /** The share of the exported sessions (the latest) held out to evaluate and gate on. */
  public static final String RETRAIN_HOLDOUT = "insession.retrain.holdout";

  /** Prefix of the RocksDB keys, which Kafka Streams hands to the RocksDB config setter. */
  public static final String ROCKSDB_PREFIX = "insession.rocksdb.";

  private static final Logger LOG = LoggerFactory.getLogger(InSessionConfig.class);

  /**
   * Environment variables Kubernetes service links put into a pod: {@code <SERVICE>_SERVICE_HOST},
   * {@code _SERVICE_PORT[_<NAME>]}, {@code _PORT} and {@code
   * _PORT_<N>_<PROTO>[_ADDR|_PORT|_PROTO]}.
   */
  private static final Pattern SERVICE_LINK =
      Pattern.compile(
          "[A-Z0-9_]+_(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT"
              + "|PORT_[0-9]+_(TCP|UDP|SCTP)(_ADDR|_PORT|_PROTO)?)");

  /**
   * Kafka keys that are another spelling of one of InSession's (Kafka key → InSession key): the
   * application id names the group that the lag monitor and /ready watch, and the Streams group
   * settings of docs/high-availability.md have their defaults and validation here.
   */
  private static final Map<String, String> KAFKA_SPELLINGS =
      Map.of(
          StreamsConfig.APPLICATION_ID_CONFIG,
          APPLICATION_ID,
          ConsumerConfig.GROUP_INSTANCE_ID_CONFIG,
          INSTANCE_ID,
          ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
          STREAMS_SESSION_TIMEOUT_MS);

  /** Kafka's rule for a group.instance.id (legal characters of a topic name), with room for -N. */
  private static final Pattern INSTANCE_ID_PATTERN = Pattern.compile("[a-zA-Z0-9._-]{1,240}");

  /** Variables with the prefix that InSession's scripts read, not settings: left out silently. */
  private static final Set<String> NOT_SETTINGS = Set.of("INSESSION_JAVA_OPTS", "INSESSION_DATA");

  /**
   * Default of {@link #STREAMS_SESSION_TIMEOUT_MS}: how long the group waits for a member that
   * stopped heartbeating (a {@code kill -9}, a lost node) before its tasks move. Kafka's default is
   * 45 s, which is most of the time a crashed instance needs to run again; 10 s still leaves four
   * missed heartbeats (2 s apart) of slack.
   */
  private static final int DEFAULT_SESSION_TIMEOUT_MS = 10_000;

  /** Heartbeats per session timeout: a member misses four before it is dropped. */
  private static final int HEARTBEATS_PER_SESSION_TIMEOUT = 5;

  /** Kafka's default heartbeat interval, the longest one derived here. */
  private static final int MAX_HEARTBEAT_INTERVAL_MS = 3_000;

  private static final ConfigDef DEFINITION =
      new ConfigDef()
          .define(
              APPLICATION_ID,
              Type.STRING,
              "insession",
              new ConfigDef.NonEmptyString(),
              Importance.HIGH,
              "Kafka Streams application id: names the consumer group (the group the lag gauges,"
                  + " /ready and the lag alerts watch), internal topics and state directory. Also"
                  + " the prefix of the changelog topics. Kafka's application.id"
                  + " (KAFKA_APPLICATION_ID) is another spelling of this key; setting both to"
                  + " different values is an error.")
          .define(
              KAFKA_CONNECT_TIMEOUT_MS,
              Type.LONG,
              10_000L,
              ConfigDef.Range.between(100L, 10L * 60 * 1000),
              Importance.LOW,
              "How long (ms) the start-up waits for the Kafka cluster (bootstrap.servers) to"
                  + " answer before it fails with an error naming the servers it tried.")
          .define(
              INSTANCE_ID,
              Type.STRING,
              "",
              InSessionConfig::validateInstanceId,
              Importance.MEDIUM,
              "This instance's stable name in the Streams group (static membership, Kafka's"
                  + " group.instance.id; Streams appends -1, -2, ... per stream thread), e.g. the"
                  + " pod name of a StatefulSet. An instance that comes back under the same name"
                  + " within the session timeout (a crash restarted in place) takes its tasks back"
                  + " at once, with no rebalance and no wait for the timeout. Letters, digits, '.',"
                  + " '_' and '-', at most 240. Empty: dynamic membership. Kafka's"
                  + " group.instance.id (KAFKA_GROUP_INSTANCE_ID) is another spelling of this key;"
                  + " setting both to different values is an error.")
          .define(
              STREAMS_SESSION_TIMEOUT_MS,
              Type.INT,
              DEFAULT_SESSION_TIMEOUT_MS,
              ConfigDef.Range.between(1_000, 1_800_000),
              Importance.MEDIUM,
              "How long (ms) the group waits for an instance that stopped heartbeating (kill -9,"
                  + " a lost node, a static member stopped without leaving) before its tasks move"
                  + " to the others: the floor of the gap in the lists after a crash"
                  + " (docs/high-availability.md has the measured gaps). The heartbeat interval is"
                  + " a fifth of it, at most Kafka's 3 s. The broker refuses values outside its"
                  + " group.min.session.timeout.ms (6 s by default) and"
                  + " group.max.session.timeout.ms (30 min). Kafka's default is 45 s. Kafka's"
                  + " session.timeout.ms (KAFKA_SESSION_TIMEOUT_MS) is another spelling of this"
                  + " key; setting both to different values is an error.")
          .define(
              STREAMS_LEAVE_GROUP_ON_CLOSE,
              Type.BOOLEAN,
              true,
              Importance.LOW,
              "Whether a clean stop (SIGTERM) leaves the Streams group, static member or not, so"
                  + " that its tasks move to the standbys at once. Kafka Streams' own close stays"
                  + " in the group: the stopped instance's partitions then get no lists until it"
                  + " comes back or its session times out (a scale-down would leave them idle"
                  + " for the whole timeout). false only for static members that are always"
                  + " restarted in place faster than a hand-over (docs/high-availability.md).")
          .define(
              WEBLOG_TOPIC,
              Type.STRING,
              "weblog-events",
              new ConfigDef.NonEmptyString(),
              Importance.HIGH,
              "Input topic of weblog events (key: session id, value: Avro WeblogEvent).")
          .define(
              DEAD_LETTER_TOPIC,
              Type.STRING,
              "weblog-events-dlq",
              new ConfigDef.NonEmptyString(),
              Importance.MEDIUM,
              "Where records that fail validation go, unchanged, with the reason and their source"
                  + " topic, partition and offset in headers.")
          .define(
              RECOMMENDATIONS_TOPIC,
              Type.STRING,
              "recommendations",
              new ConfigDef.NonEmptyString(),
              Importance.HIGH,
              "Output topic of ranked lists (key: session id, value: Avro RecommendationList).")
          .define(
              DEPLOYMENTS_TOPIC,
              Type.STRING,
              "model-deployments",
              new ConfigDef.NonEmptyString(),
              Importance.MEDIUM,
              "Compacted topic of model deployments and their refusals (value: Avro"
                  + " ModelDeployment): every instance follows it and serves its latest deployment"
                  + " (docs/roll-outs.md).")
          .define(
              EXPERIMENTS_TOPIC,
              Type.STRING,
              "experiment-kpis",
              new ConfigDef.NonEmptyString(),
              Importance.LOW,
              "Compacted topic of the live KPIs per experiment and variant (value: Avro"
                  + " ExperimentKpis, key: <experiment>/all or <experiment>/<window start ms>;"
                  + " docs/experiments.md).")
          .define(
              CATALOG_TOPIC,
              Type.STRING,
              "item-catalog",
              new ConfigDef.NonEmptyString(),
              Importance.MEDIUM,
              "Compacted topic of the shop's catalogue (key: item id, value: Avro CatalogItem; a"
                  + " tombstone deletes the item). Every streams instance reads all of it into the"
                  + " global store item-catalog-store; the catalogue rules look items up there"
                  + " (docs/catalog.md). Load it with `insession catalog load FILE`.")
          .define(
              TRENDING_TOPIC,
              Type.STRING,
              "trending",
              new ConfigDef.NonEmptyString(),
              Importance.LOW,
              "Compacted topic of the live trending lists (value: Avro TrendingList, key:"
                  + " SCOPE#PARTITION, one record per scope and counting task; docs/trending.md)."
                  + " Written and read by the streams instances while insession.trending.enabled"
                  + " is true (the default); the lookup API reads it for its fallback answer.")
          .define(
              TOPIC_PARTITIONS,
              Type.INT,
              4,
              ConfigDef.Range.atLeast(1),
              Importance.LOW,
              "Partitions of the topics InSession creates when they do not exist (they bound the"
                  + " parallelism).")
          .define(
              TOPIC_REPLICATION_FACTOR,
              Type.SHORT,
              (short) 1,
              ConfigDef.Range.atLeast(1),
              Importance.LOW,
              "Replication factor of the topics InSession creates when they do not exist.")
          .define(
              RECOMMENDATIONS_RETENTION_MS,
              Type.LONG,
              86_400_000L,
              ConfigDef.Range.atLeast(60_000L),
              Importance.MEDIUM,
              "retention.ms of the recommendations topic, which InSession creates compacted"
                  + " (cleanup.policy=compact,delete, key = session id): compaction keeps only"
                  + " each session's latest list, and a session whose latest list is older than"
                  + " this (by its record timestamp, the triggering event's time) is deleted. A"
                  + " day outlives every live session (30 min gap) and the lookup API's cache"
                  + " (30 min), so the lookup API reads at most a day of sessions at start-up.")
          .define(
              RECOMMENDATIONS_SEGMENT_MS,
              Type.LONG,
              3_600_000L,
              ConfigDef.Range.atLeast(1_000L),
              Importance.LOW,
              "segment.ms of the recommendations topic: compaction and retention act on closed"
                  + " segments only, so superseded lists (and a forgotten session's lists) stay"
                  + " on the broker's disk for up to this long plus the cleaner's delay. Kafka's"
                  + " default (7 days) would let history pile up for a week.")
          .define(
              SERDE,
              Type.STRING,
              "single-object",
              ValidString.in("single-object", "confluent"),
              Importance.MEDIUM,
              "Encoding of the Avro values on the weblog and recommendations topics:"
                  + " single-object (Avro single-object encoding, the writer schema's CRC-64"
                  + " fingerprint in each value, no registry) or confluent (magic byte 0 + 4-byte"
                  + " schema id, ids kept in a schema registry, through Apicurio's Avro serde; every"
                  + " apicurio.registry.* setting passes through). State stores always use"
                  + " single-object.")
          .define(
              SERDE_REGISTRY_URL,
              Type.STRING,
              "",
              Importance.MEDIUM,
              "Schema registry URL for insession.serde=confluent (Apicurio Registry, e.g."
                  + " http://registry:8080/apis/registry/v3); sets apicurio.registry.url.")
          .define(
              SESSION_GAP_MS,
              Type.LONG,
              30 * 60 * 1000L,
              ConfigDef.Range.atLeast(1),
              Importance.HIGH,
              "Inactivity (ms) after which a session ends: an event more than this after its"
                  + " session's last one (event time) starts a new session, and a session the"
                  + " stream has not processed for this long (its own clock) is removed.")
          .define(
              SESSION_EXPIRY_SCAN_INTERVAL_MS,
              Type.LONG,
              60 * 1000L,
              ConfigDef.Range.atLeast(1),
              Importance.LOW,
              "How often (wall-clock time, ms) the session store is scanned for expired"
                  + " sessions.")
          .define(
              SESSION_RECENT_ITEMS,
              Type.INT,
              50,
              ConfigDef.Range.between(1, 10_000),
              Importance.LOW,
              "How many recent items a session remembers (for the seen-items rule, baselines and"
                  + " a repeat-aware model's recent_items input: such a model reads the event's"
                  + " item and R - 1 earlier ones, and the service refuses to start when this is"
                  + " below R - 1).")
          .define(
              RECOMMENDATIONS_COUNT,
              Type.INT,
              20,
              ConfigDef.Range.between(1, 1_000),
              Importance.MEDIUM,
              "Length of each emitted list.")
          .define(
              RULE_EXCLUDE_SEEN,
              Type.STRING,
              ExcludeSeenSpec.BOUGHT.setting(),
              InSessionConfig::validateExcludeSeen,
              Importance.MEDIUM,
              "Which of the session's own items the served lists leave out: 'bought' (only"
                  + " purchased items, the default), 'last:N' (the items of the last N item"
                  + " events), 'all' (every remembered recent item) or 'off' (none); 'true' and"
                  + " 'false' mean 'all' and 'off'. Shoppers often click back to an item they saw"
                  + " (a fifth of the next clicks on diginetica): 'all' makes every such click a"
                  + " miss and cost the GRU 28 % of its Recall@20 there (model-exporter/README.md);"
                  + " `insession evaluate --exclude-seen` measures each option on your data. 'off' leaves"
                  + " exclude-seen out of every rule chain (insession.rules.chain).")
          .define(
              RULES_CHAIN,
              Type.LIST,
              "exclude-seen",
              InSessionConfig::validateRuleChain,
              Importance.MEDIUM,
              "The business rules every list goes through, in order (docs/catalog.md):"
                  + " available (drop items the catalogue lists as out of stock or not yet on"
                  + " sale, and items it does not list: deleted or never loaded), exclude-seen,"
                  + " category-cap (insession.rules.category.max.items per category), campaigns"
                  + " (insession.rules.campaigns), content (the content route: new items the"
                  + " model does not know, blended in by similarity and age, and content-based"
                  + " lists for sessions whose item the model does not know; insession.content.*)."
                  + " A rule left out is off. The catalogue rules"
                  + " need the item-catalog topic loaded; with a catalogue, a shop would use"
                  + " content,available,exclude-seen,category-cap,campaigns. Lists are cut to"
                  + " insession.recommendations.count after the rules, and filled up when the"
                  + " rules left them short (insession.rules.backfill).")
          .define(
              RULES_VARIANT_CHAINS,
              Type.LIST,
              "",
              InSessionConfig::validateVariantChains,
              Importance.LOW,
              "Rule chains of single variants, replacing insession.rules.chain for them:"
                  + " VARIANT:RULE+RULE+..., comma-separated, e.g."
                  + " control:available,gru:available+exclude-seen+category-cap. 'VARIANT:' serves"
                  + " the variant with no rules.")
          .define(
              RULES_CATEGORY_MAX_ITEMS,
              Type.INT,
              3,
              ConfigDef.Range.between(1, 1_000),
              Importance.LOW,
              "The category-cap rule: at most this many items of one category in a list (lower"
                  + " ranked ones make room for other categories).")
          .define(
              RULES_CATEGORY_DEPTH,
              Type.INT,
              1,
              ConfigDef.Range.between(0, 100),
              Importance.LOW,
              "The category-cap rule: how many levels of an item's category path make its"
                  + " category (1: the top level, e.g. Shoes; 0: the whole path). Items without a"
                  + " category are not capped.")
          .define(
              RULES_CAMPAIGNS,
              Type.LIST,
              "",
              InSessionConfig::validateCampaigns,
              Importance.LOW,
              "The campaigns rule: boosts and buries as FIELD=VALUE:OFFSET, comma-separated."
                  + " FIELD is brand, category (any level of the category path) or attr.NAME (a"
                  + " free attribute); OFFSET is added to the score of every matching candidate"
                  + " (positive boosts, negative buries) and the list is re-ranked. Example:"
                  + " brand=Acme:+2.5,attr.season=winter:-1. Scores are the model's, so an"
                  + " offset's size is in the model's units.")
          .define(
              RULES_BACKFILL,
              Type.BOOLEAN,
              true,
              Importance.LOW,
              "When the rules leave fewer than insession.recommendations.count of the model's"
                  + " candidates, fill the list up from the scorer's fallback (popular items),"
                  + " through the same rules, ranked below the model's candidates.")
          .define(
              TRENDING_ENABLED,
              Type.BOOLEAN,
              true,
              Importance.MEDIUM,
              "Live trending (docs/trending.md): the stream counts item events per item, decayed"
                  + " exponentially by event time, overall and per catalogue category, and publishes"
                  + " the top items of each scope to insession.topic.trending. A session whose item"
                  + " the model does not know then gets the live trending list instead of the"
                  + " bundle's frozen popularity list (while trending has data), and the lookup API"
                  + " answers a session with no list yet with it (marked as a fallback) instead of"
                  + " 404. On by default. Needs the trending topic and the catalogue topic (created"
                  + " by `insession run` with the others; where an operator creates the topics, a"
                  + " missing one stops the start with its name). Set false to run without them.")
          .define(
              TRENDING_HALF_LIFE_MS,
              Type.LONG,
              3_600_000L,
              ConfigDef.Range.between(1_000L, 365L * 24 * 3_600_000L),
              Importance.LOW,
              "Half-life (ms of event time) of the trending counts: an item event counts 1 when"
                  + " it happens, 1/2 one half-life later, 1/4 two half-lives later.")
          .define(
              TRENDING_TOP_N,
              Type.INT,
              100,
              ConfigDef.Range.between(1, 10_000),
              Importance.LOW,
              "How many items each trending list keeps per scope (overall and per category).")
          .define(
              TRENDING_PUBLISH_INTERVAL_MS,
              Type.LONG,
              10_000L,
              ConfigDef.Range.between(1L, 3_600_000L),
              Importance.LOW,
              "How often (wall-clock time, ms) each counting task publishes its top items when it"
                  + " counted something since: one scan of the task's counts per interval, none"
                  + " per event.")
          .define(
              TRENDING_MIN_SCORE,
              Type.DOUBLE,
              0.01,
              ConfigDef.Range.between(1e-9, 1.0),
              Importance.LOW,
              "Items whose decayed trending count falls below this are forgotten at the next"
                  + " publication (bounds the count store: an item seen once is forgotten after"
                  + " log2(1/min) half-lives, 6.6 at 0.01).")
          .define(
              CONTENT_NEW_ITEM_AGE_MS,
              Type.LONG,
              7L * 24 * 60 * 60 * 1000,
              ConfigDef.Range.atLeast(1L),
              Importance.MEDIUM,
              "The content route (rule 'content', docs/catalog.md): an item whose catalogue"
                  + " firstSeen is less than this long ago (ms; default 7 days) is new, and may"
                  + " be blended into the model's lists by its similarity to the session's recent"
                  + " items times its freshness (1 - age / this).")
          .define(
              CONTENT_NEW_ITEM_SLOTS,
              Type.INT,
              3,
              ConfigDef.Range.between(0, 1_000),
              Importance.LOW,
              "The content route: at most this many new items blended into one list of the"
                  + " model (the most similar and freshest); 0 blends none (sessions whose item the"
                  + " model does not know still get content-based lists).")
          .define(
              CONTENT_MIN_SIMILARITY,
              Type.DOUBLE,
              0.25,
              ConfigDef.Range.between(0.0, 1.0),
              Importance.LOW,
              "The content route: least similarity (0..1: the IDF-weighted share of the"
                  + " session's recent items' category, brand and title tokens an item shares) for"
                  + " an item to be proposed.")
          .define(
              CONTENT_SESSION_ITEMS,
              Type.INT,
              3,
              ConfigDef.Range.between(1, 100),
              Importance.LOW,
              "The content route: how many of the session's latest items make the query (the"
                  + " latest weighs 1, each earlier one half the one after it).")
          .define(
              CONTENT_INDEX_ITEMS_PER_TOKEN,
              Type.INT,
              50,
              ConfigDef.Range.between(1, 10_000),
              Importance.LOW,
              "The content route's index: most items kept per category, brand or title token"
                  + " (the most recently listed ones), so a lookup costs at most this many entries"
                  + " per token of the session's items, whatever the catalogue's size.")
          .define(
              MODEL_BUNDLE,
              Type.STRING,
              "",
              Importance.HIGH,
              "Directory of the model bundle to serve (see docs/model-bundle.md).")
          .define(
              VARIANTS,
              Type.LIST,
              "default:bundle:1",
              InSessionConfig::validateVariants,
              Importance.MEDIUM,
              "Scorer variants (A/B arms) as NAME:SOURCE:WEIGHT, comma-separated. SOURCE is"
                  + " 'bundle' (insession.model.bundle), 'popular' (that bundle's most-viewed"
                  + " items, a naive control) or another bundle's directory. A new session is"
                  + " assigned a variant by a hash of its id and insession.variants.salt, by the"
                  + " weights, and keeps it for its life; every list carries it. Example:"
                  + " control:popular:10,gru:bundle:90. Served until the first deployment on"
                  + " insession.topic.deployments replaces it (insession models deploy).")
          .define(
              VARIANTS_SALT,
              Type.STRING,
              "insession",
              Importance.LOW,
              "Salt of the variant assignment; another salt reshuffles new sessions. It is also"
                  + " the experiment's id (docs/experiments.md).")
          .define(
              EXPERIMENTS_ENABLED,
              Type.BOOLEAN,
              true,
              Importance.MEDIUM,
              "Attribute views, add-to-carts and purchases to the session's variant and to the"
                  + " list that led to them, and write live KPIs per variant to"
                  + " insession.topic.experiments (docs/experiments.md).")
          .define(
              EXPERIMENTS_ATTRIBUTION_LISTS,
              Type.INT,
              5,
              ConfigDef.Range.between(1, 100),
              Importance.LOW,
              "N of the attribution rule: an event on an item is attributed to the latest of the"
                  + " session's last N lists (one per event) that held the item, or to the list"
                  + " whose recommendationId the event carries.")
          .define(
              EXPERIMENTS_WINDOW_MS,
              Type.LONG,
              3_600_000L,
              ConfigDef.Range.atLeast(60_000L),
              Importance.LOW,
              "Length of the tumbling windows of the KPIs: a session counts, with all its events,"
                  + " in the window its first list fell in.")
          .define(
              EXPERIMENTS_WINDOWS_RETAINED,
              Type.INT,
              24,
              ConfigDef.Range.between(1, 10_000),
              Importance.LOW,
              "How many of the latest windows the stream keeps and updates (the figures since"
                  + " the experiment started are kept always).")
          .define(
              EXPERIMENTS_EMIT_INTERVAL_MS,
              Type.LONG,
              10_000L,
              ConfigDef.Range.atLeast(1L),
              Importance.LOW,
              "How often (wall clock) each task sends the sums it changed to be merged, and so"
                  + " how fresh the KPIs on insession.topic.experiments are.")
          .define(
              EXPERIMENTS_CONTROL,
              Type.STRING,
              "control",
              new ConfigDef.NonEmptyString(),
              Importance.LOW,
              "The variant the others' lifts are measured against; an experiment without it has"
                  + " no lifts.")
          .define(
              EXPERIMENTS_CONFIDENCE,
              Type.DOUBLE,
              0.95,
              ConfigDef.Range.between(0.5, 0.9999),
              Importance.LOW,
              "Two-sided confidence of the KPIs' intervals.")
          .define(
              CANARY_STEPS,
              Type.LIST,
              "5,25,50,100",
              InSessionConfig::validateCanarySteps,
              Importance.LOW,
              "The canary's steps: the candidate's share, in percent of the replaced variant's"
                  + " weight, step by step (whole numbers, increasing, 1 to 100).")
          .define(
              CANARY_STEP_MIN_SESSIONS,
              Type.LONG,
              1_000L,
              ConfigDef.Range.atLeast(1L),
              Importance.LOW,
              "New sessions of the candidate a canary step needs before it may advance.")
          .define(
              CANARY_MAX_STEP_MS,
              Type.LONG,
              3_600_000L,
              ConfigDef.Range.atLeast(1L),
              Importance.LOW,
              "How long a canary step may wait for a decision; then insession.canary.on.timeout.")
          .define(
              CANARY_ON_TIMEOUT,
              Type.STRING,
              "hold",
              ValidString.in("hold", "rollback"),
              Importance.LOW,
              "What a canary step that timed out does: hold (keep its weights, stop, exit 7) or"
                  + " rollback (deploy again what served before the canary, exit 6).")
          .define(
              CANARY_METRIC,
              Type.STRING,
              "conversion_rate",
              ValidString.in(
                  "ctr",
                  "add_to_cart_rate",
                  "conversion_rate",
                  "average_order_value",
                  "revenue_per_session"),
              Importance.LOW,
              "The live KPI the canary compares (docs/experiments.md): the candidate is rolled"
                  + " back when its lift over the replaced variant lies wholly below"
                  + " -insession.canary.margin.")
          .define(
              CANARY_MARGIN,
              Type.DOUBLE,
              0.0,
              ConfigDef.Range.between(0.0, 0.99),
              Importance.LOW,
              "Relative loss the canary tolerates: 0.02 rolls back only a lift whose whole"
                  + " interval lies below -2 %.")
          .define(
              CANARY_CHECK_INTERVAL_MS,
              Type.LONG,
              1_000L,
              ConfigDef.Range.atLeast(1L),
              Importance.LOW,
              "How often the canary looks at the KPIs it follows.")
          .define(
              SCORING_DEVICE,
              Type.STRING,
              "cpu",
              ValidString.in("cpu", "cuda"),
              Importance.MEDIUM,
              "Where ONNX Runtime scores: cpu, or cuda (needs the -Pgpu build; falls back to cpu"
                  + " with a warning when no GPU is present).")
          .define(
              SCORING_DEVICE_ID,
              Type.INT,
              0,
              ConfigDef.Range.atLeast(0),
              Importance.LOW,
              "CUDA device id when the device is cuda.")
          .define(
              SCORING_INTRA_OP_THREADS,
              Type.INT,
              1,
              ConfigDef.Range.between(1, 256),
              Importance.LOW,
              "ONNX Runtime intra-op threads per scoring call.")
          .define(
              SCORING_BATCH_MAX_SIZE,
              Type.INT,
              64,
              ConfigDef.Range.between(1, 4096),
              Importance.MEDIUM,
              "Most events of a stream thread scored in one ONNX call (micro-batching across"
                  + " the sessions of all the thread's tasks; 1 scores each event at once)."
                  + " Pending events are kept in a changelogged store, so exactly-once holds.")
          .define(
              SCORING_BATCH_MAX_DELAY_MS,
              Type.LONG,
              20L,
              ConfigDef.Range.atLeast(1),
              Importance.MEDIUM,
              "Longest wall-clock wait (ms) before a partial micro-batch is scored. The batch is"
                  + " shared by the tasks of a stream thread. With eager batching (the default)"
                  + " a batch is scored as soon as the thread is free, so this only bounds the"
                  + " wait; without it, 20 ms favours throughput and 5 ms with 20 ms commits"
                  + " favours latency (BENCHMARKS.md).")
          .define(
              SCORING_BATCH_EAGER,
              Type.BOOLEAN,
              true,
              Importance.MEDIUM,
              "Score a stream thread's micro-batch as soon as the thread has processed every"
                  + " record it read (it polls again) instead of waiting for the batch delay: a"
                  + " quiet system scores each event at once, a busy one scores all it read while"
                  + " busy in one call. false: a partial batch waits"
                  + " insession.scoring.batch.max.delay.ms.")
          .define(
              API_PORT,
              Type.INT,
              8080,
              ConfigDef.Range.between(0, 65_535),
              Importance.MEDIUM,
              "HTTP port of the lookup API (0 picks a free port).")
          .define(
              API_CACHE_MAX_SESSIONS,
              Type.LONG,
              1_000_000L,
              ConfigDef.Range.atLeast(1),
              Importance.LOW,
              "How many sessions' latest lists the lookup API keeps in memory.")
          .define(
              API_COLLECTOR_ENABLED,
              Type.BOOLEAN,
              true,
              Importance.MEDIUM,
              "Whether the lookup API also collects events: POST /v1/events validates them and"
                  + " produces them to the weblog topic.")
          .define(
              API_CATALOG_ENABLED,
              Type.BOOLEAN,
              false,
              Importance.LOW,
              "Whether the lookup API reads the catalogue topic (insession.topic.catalog) into"
                  + " memory, so that GET /v1/sessions/{id}/recommendations?include=items returns"
                  + " each item's catalogue record with the list. Heap grows with the catalogue"
                  + " (about 1 KB per item); off, ?include=items answers 400 NO_CATALOG.")
          .define(
              API_COLLECTOR_MAX_BATCH_EVENTS,
              Type.INT,
              500,
              ConfigDef.Range.between(1, 10_000),
              Importance.LOW,
              "Most events one POST /v1/events may carry (a JSON array); larger batches get 400.")
          .define(
              API_COLLECTOR_ACK_TIMEOUT_MS,
              Type.LONG,
              5_000L,
              ConfigDef.Range.between(1L, 5L * 60 * 1000),
              Importance.LOW,
              "How long (ms) POST /v1/events waits for Kafka to acknowledge a batch (acks=all)"
                  + " before it answers 503.")
          .define(
              API_STREAM_MAX_SUBSCRIBERS,
              Type.INT,
              10_000,
              ConfigDef.Range.atLeast(1),
              Importance.LOW,
              "Most open Server-Sent-Events streams (GET"
                  + " /v1/sessions/{id}/recommendations/stream) per lookup API instance; more get"
                  + " 503.")
          .define(
              API_STREAM_HEARTBEAT_MS,
              Type.LONG,
              15_000L,
              ConfigDef.Range.between(10L, 10L * 60 * 1000),
              Importance.LOW,
              "How often (ms) an open event stream gets a comment line, so proxies keep the"
                  + " connection and closed clients are noticed.")
          .define(
              API_MAX_REQUEST_BYTES,
              Type.LONG,
              1_048_576L,
              ConfigDef.Range.between(1024L, 64L * 1024 * 1024),
              Importance.LOW,
              "Largest request body (bytes) the lookup API reads; a larger POST /v1/events gets"
                  + " 413 (not retryable).")
          .define(
              API_IDLE_TIMEOUT_MS,
              Type.LONG,
              30_000L,
              ConfigDef.Range.between(100L, 10L * 60 * 1000),
              Importance.LOW,
              "How long (ms) an HTTP connection of the lookup API may stay without reading or"
                  + " writing a byte (e.g. a client that sends its headers slowly, or not at all)"
                  + " before the server closes it. Must be longer than"
                  + " insession.api.stream.heartbeat.ms so open event streams stay open.")
          .define(
              API_CACHE_MAX_BYTES,
              Type.LONG,
              256L * 1024 * 1024,
              ConfigDef.Range.atLeast(1024L * 1024),
              Importance.MEDIUM,
              "Most heap (bytes, estimated) the lookup API's cache of latest lists may take;"
                  + " beyond it the sessions least likely to be read again are evicted (Caffeine's"
                  + " W-TinyLFU). Applies together with insession.api.cache.max.sessions,"
                  + " whichever is reached first. A list of 20 items is estimated at about 4.2 KB"
                  + " (3.2 KB measured), so the default of 256 MiB keeps about 63,000 sessions in"
                  + " about 200 MiB of heap: it fits the JVM's default heap (a quarter of the"
                  + " memory) from a 1 GiB container up; raise both for more sessions. Re-reading"
                  + " the topic after a restart can never exceed it.")
          .define(
              API_READY_BROKER_GRACE_MS,
              Type.LONG,
              10_000L,
              ConfigDef.Range.between(100L, 10L * 60 * 1000),
              Importance.LOW,
              "How long (ms) the lookup API's consumer may fail to reach the brokers before GET"
                  + " /ready answers 503 (GET /health stays 200: an outage of the brokers must not"
                  + " restart the pods).")
          .define(
              API_BIND_ADDRESS,
              Type.STRING,
              "0.0.0.0",
              new ConfigDef.NonEmptyString(),
              Importance.MEDIUM,
              "Address the lookup API's HTTP server listens on (0.0.0.0: every interface, as a"
                  + " container needs; 127.0.0.1: this host only).")
          .define(
              API_METRICS_PORT,
              Type.INT,
              8082,
              ConfigDef.Range.between(0, 65_535),
              Importance.MEDIUM,
              "HTTP port of the lookup API's GET /metrics (Prometheus), apart from the API port so"
                  + " that it need not be exposed with it (0 picks a free port). Listens on"
                  + " insession.metrics.bind.address.")
          .define(
              METRICS_BIND_ADDRESS,
              Type.STRING,
              "0.0.0.0",
              new ConfigDef.NonEmptyString(),
              Importance.MEDIUM,
              "Address the metrics servers (the streams app's insession.metrics.port, the lookup"
                  + " API's insession.api.metrics.port) listen on.")
          .define(
              API_AUTH,
              Type.STRING,
              AUTH_REQUIRED,
              ValidString.in(AUTH_REQUIRED, AUTH_NONE),
              Importance.HIGH,
              "HTTP authentication of the lookup API and the metrics servers. required: every"
                  + " request needs an API key (X-Api-Key or Authorization: Bearer) or an OAuth2"
                  + " bearer JWT with the route's scope (events:write, recommendations:read,"
                  + " operate, metrics:read); /health, /ready and CORS preflights stay open; the"
                  + " keys come from insession.api.auth.keys.file, .keys.env and/or"
                  + " .jwks.file (at least one). none: no authentication, for local demos only"
                  + " (the demo sets it and listens on 127.0.0.1); logged as a warning at start."
                  + " docs/api-security.md.")
          .define(
              API_AUTH_KEYS_FILE,
              Type.STRING,
              "",
              Importance.HIGH,
              "File of API keys, one per line: NAME SCOPE[,SCOPE...] KEY, where KEY is the secret"
                  + " itself or sha256:<hex of its SHA-256>; # starts a comment. Empty: no file.")
          .define(
              API_AUTH_KEYS_ENV,
              Type.STRING,
              "",
              Importance.MEDIUM,
              "Name of an environment variable holding API keys in the format of"
                  + " insession.api.auth.keys.file (lines, or entries separated by ;). Empty:"
                  + " none.")
          .define(
              API_AUTH_JWKS_FILE,
              Type.STRING,
              "",
              Importance.HIGH,
              "JWKS file (JSON Web Key Set) of the public keys that sign accepted bearer JWTs"
                  + " (RSA or EC); checked locally, no network call. A token needs exp and its"
                  + " scopes in scope (space-separated) or scp. Empty: no JWTs accepted.")
          .define(
              API_AUTH_JWT_ISSUER,
              Type.STRING,
              "",
              Importance.MEDIUM,
              "The iss a bearer JWT must carry; empty: not checked.")
          .define(
              API_AUTH_JWT_AUDIENCE,
              Type.STRING,
              "",
              Importance.MEDIUM,
              "An aud a bearer JWT must carry; empty: not checked.")
          .define(
              API_AUTH_RELOAD_INTERVAL_MS,
              Type.LONG,
              30_000L,
              ConfigDef.Range.atLeast(0L),
              Importance.MEDIUM,
              "How often (ms) the servers look again at the API keys file and the JWKS file and,"
                  + " when either changed, take the new keys without a restart (a key added is"
                  + " accepted, a key removed is refused from then on). Checked on the next"
                  + " request after the interval; a file that cannot be read or parsed keeps the"
                  + " keys in force (logged). Keys from insession.api.auth.keys.env are read once."
                  + " 0: read at start only.")
          .define(
              API_CORS_ALLOWED_ORIGINS,
              Type.LIST,
              "",
              Importance.MEDIUM,
              "Origins (scheme://host[:port], or *) browsers may call the lookup API from; their"
                  + " preflights (OPTIONS) are answered 204, others' 403. Empty: no CORS headers"
                  + " (same-origin and server-to-server clients only).")
          .define(
              API_CORS_MAX_AGE_S,
              Type.INT,
              600,
              ConfigDef.Range.between(0, 86_400),
              Importance.LOW,
              "How long (s) a browser may cache a CORS preflight answer.")
          .define(
              API_RATE_PER_KEY,
              Type.DOUBLE,
              1000.0,
              ConfigDef.Range.atLeast(0.0),
              Importance.MEDIUM,
              "Requests per second each API key or token subject may make (token bucket); more"
                  + " get 429 with Retry-After. 0: no limit.")
          .define(
              API_RATE_PER_KEY_BURST,
              Type.INT,
              2000,
              ConfigDef.Range.atLeast(1),
              Importance.LOW,
              "Requests a key may make at once above its rate (the bucket's size).")
          .define(
              API_RATE_PER_ADDRESS,
              Type.DOUBLE,
              200.0,
              ConfigDef.Range.atLeast(0.0),
              Importance.MEDIUM,
              "Requests per second each client address may make (token bucket, counted before"
                  + " authentication, so guessing keys is limited too); more get 429 with"
                  + " Retry-After. The address is the TCP peer's: behind a gateway or load"
                  + " balancer raise it or set 0 (no limit) and limit there.")
          .define(
              API_RATE_PER_ADDRESS_BURST,
              Type.INT,
              400,
              ConfigDef.Range.atLeast(1),
              Importance.LOW,
              "Requests an address may make at once above its rate (the bucket's size).")
          .define(
              API_MAX_HEADER_BYTES,
              Type.INT,
              8192,
              ConfigDef.Range.between(1024, 64 * 1024),
              Importance.LOW,
              "Largest request line plus headers (bytes) the HTTP servers read; more get 431"
                  + " (or 414 for a long request line).")
          .define(
              API_MAX_JSON_DEPTH,
              Type.INT,
              16,
              ConfigDef.Range.between(2, 1000),
              Importance.LOW,
              "Deepest nesting of arrays and objects in a request body; deeper gets 400"
                  + " JSON_TOO_DEEP before anything is parsed into objects.")
          .define(
              API_MAX_JSON_ARRAY_ELEMENTS,
              Type.INT,
              1000,
              ConfigDef.Range.between(1, 100_000),
              Importance.LOW,
              "Most elements of any JSON array in a request body; more get 400"
                  + " JSON_ARRAY_TOO_LONG. Must be at least"
                  + " insession.api.collector.max.batch.events.")
          .define(
              API_MIN_REQUEST_BYTES_PER_S,
              Type.LONG,
              1024L,
              ConfigDef.Range.atLeast(0L),
              Importance.LOW,
              "Slowest rate (bytes/s, averaged from the request's start, checked after its first"
                  + " second) at which a request body may arrive; a slower one is answered 408 and"
                  + " its thread freed. 0: no check (the idle timeout still applies).")
          .define(
              API_STREAM_MAX_PER_CLIENT,
              Type.INT,
              16,
              ConfigDef.Range.atLeast(1),
              Importance.LOW,
              "Most open Server-Sent-Events streams per client address; one more gets 429"
                  + " TOO_MANY_STREAMS.")
          .define(
              API_COLLECTOR_WAIT_MAX_REQUESTS,
              Type.INT,
              5_000,
              ConfigDef.Range.between(1, 1_000_000),
              Importance.LOW,
              "Most POST /v1/events?wait_ms requests (read-your-writes) waiting for their lists at"
                  + " once per lookup API instance. A waiting request holds no HTTP thread, only"
                  + " its connection and a few hundred bytes; one more is answered 503"
                  + " TOO_MANY_WAITING with Retry-After, and nothing of it is written.")
          .define(
              API_HTTP_MAX_THREADS,
              Type.INT,
              250,
              ConfigDef.Range.between(8, 10_000),
              Importance.LOW,
              "Most threads of each HTTP server of the lookup API (the API, its metrics): Jetty's"
                  + " pool, which also runs its acceptor and selector threads. Requests beyond"
                  + " it queue; read-your-writes waits and push streams hold none while idle.")
          .define(
              METRICS_PORT,
              Type.INT,
              8081,
              ConfigDef.Range.between(0, 65_535),
              Importance.MEDIUM,
              "HTTP port of the streams app's GET /metrics (Prometheus), /health and /ready (0"
                  + " picks a free port).")
          .define(
              METRICS_LAG_INTERVAL_MS,
              Type.LONG,
              5_000L,
              ConfigDef.Range.between(10L, 10L * 60 * 1000),
              Importance.LOW,
              "How often (ms) the streams app reads the input topic's log-end offsets and its"
                  + " consumer group's committed offsets for the lag and input-idle gauges.")
          // --- stream safety (issue 9): event-time window, size limits, idempotency -----------
          .define(
              EVENT_TIME_MAX_FUTURE_MS,
              Type.LONG,
              5 * 60 * 1000L,
              ConfigDef.Range.between(0L, 60 * 60 * 1000L),
              Importance.MEDIUM,
              "How far (ms) an event's eventTime may lie ahead of the stream's clock (the"
                  + " collector's on POST). Later events go to the dead-letter topic with reason"
                  + " EVENT_TIME_OUT_OF_RANGE (the collector answers 400). At most 1 h: the broker"
                  + " refuses records dated further ahead (message.timestamp.after.max.ms).")
          .define(
              EVENT_TIME_MAX_PAST_MS,
              Type.LONG,
              7L * 24 * 60 * 60 * 1000,
              ConfigDef.Range.between(0L, 365L * 24 * 60 * 60 * 1000),
              Importance.LOW,
              "How far (ms) an event's eventTime may lie before its arrival (the earlier of the"
                  + " Kafka record's timestamp and the stream's clock). Older events, and any"
                  + " negative eventTime, go to the dead-letter topic (reason"
                  + " EVENT_TIME_OUT_OF_RANGE).")
          .define(
              EVENT_MAX_SESSION_ID_CHARS,
              Type.INT,
              256,
              ConfigDef.Range.between(1, 4096),
              Importance.LOW,
              "Longest sessionId (characters); longer events are refused (dead letter, or 400 from"
                  + " the collector), and so are longer ids on the lookup API's GET routes. At"
                  + " most 4096, well under the HTTP server's 8 KiB request line (414 beyond),"
                  + " so every session id that can be written can also be looked up.")
          .define(
              EVENT_MAX_EVENT_ID_CHARS,
              Type.INT,
              128,
              ConfigDef.Range.between(1, 4096),
              Importance.LOW,
              "Longest eventId (characters); longer events are refused.")
          .define(
              EVENT_MAX_USER_ID_CHARS,
              Type.INT,
              256,
              ConfigDef.Range.between(1, 4096),
              Importance.LOW,
              "Longest userId (characters); longer events are refused.")
          .define(
              EVENT_MAX_ITEM_ID_CHARS,
              Type.INT,
              256,
              ConfigDef.Range.between(1, 4096),
              Importance.LOW,
              "Longest itemId (characters); longer events are refused. Together with"
                  + " insession.session.recent.items it bounds the stored session state.")
          .define(
              EVENT_MAX_ATTRIBUTES,
              Type.INT,
              50,
              ConfigDef.Range.between(0, 1000),
              Importance.LOW,
              "Most attributes one event may carry; more are refused.")
          .define(
              EVENT_MAX_ATTRIBUTE_CHARS,
              Type.INT,
              1024,
              ConfigDef.Range.between(1, 65_536),
              Importance.LOW,
              "Longest attribute key, and longest attribute value (characters each).")
          .define(
              EVENT_MAX_RECORD_BYTES,
              Type.INT,
              64 * 1024,
              ConfigDef.Range.between(1024, 1024 * 1024),
              Importance.LOW,
              "Largest weblog record (key plus value, bytes) the stream accepts; larger ones go to"
                  + " the dead-letter topic (reason RECORD_TOO_LARGE).")
          .define(
              SESSION_RECENT_EVENT_IDS,
              Type.INT,
              50,
              ConfigDef.Range.between(1, 1000),
              Importance.LOW,
              "How many recent eventIds a session remembers, so that a retried event (same"
                  + " eventId) is applied once.")
          .define(
              SESSION_STATE_MAX_BYTES,
              Type.INT,
              256 * 1024,
              ConfigDef.Range.between(16 * 1024, 900 * 1024),
              Importance.LOW,
              "Upper bound (bytes) of one stored session state: beyond it the oldest recent items"
                  + " and event ids are dropped. Below the 1 MB a changelog record may have.")
          .define(
              METRICS_READY_BROKER_GRACE_MS,
              Type.LONG,
              15_000L,
              ConfigDef.Range.between(100L, 10L * 60 * 1000),
              Importance.LOW,
              "How long (ms) the lag monitor's calls to the brokers may keep failing before the"
                  + " streams app's GET /ready answers 503 (GET /health stays 200: an outage of"
                  + " the brokers must not restart the pods).")
          .define(
              METRICS_READY_LAG_STALL_MS,
              Type.LONG,
              60_000L,
              ConfigDef.Range.between(100L, 60L * 60 * 1000),
              Importance.LOW,
              "How long (ms) the streams app's consumer lag may stay above 0 without the group's"
                  + " committed offsets moving before GET /ready answers 503.")
          .define(
              ROCKSDB_MEMORY_BYTES,
              Type.LONG,
              64L * 1024 * 1024,
              ConfigDef.Range.atLeast(1024L * 1024),
              Importance.MEDIUM,
              "Off-heap memory (bytes) that RocksDB may use for all state stores of the process"
                  + " together: one block cache of this size, shared by every store, that also"
                  + " accounts for the memtables. Kafka Streams' default would be a 50 MiB cache"
                  + " plus up to 3 x 16 MiB of memtables per store instance (one per store and"
                  + " partition). Applies while rocksdb.config.setter is InSession's (the"
                  + " default).")
          .define(
              ROCKSDB_MEMTABLE_FRACTION,
              Type.DOUBLE,
              0.5,
              ConfigDef.Range.between(0.1, 0.9),
              Importance.LOW,
              "Share of insession.rocksdb.memory.bytes that memtables (writes not yet flushed) of"
                  + " all stores together may take before RocksDB flushes them; the rest holds"
                  + " data, index and filter blocks.")
          .define(
              ROCKSDB_WRITE_BUFFER_COUNT,
              Type.INT,
              3,
              ConfigDef.Range.between(2, 16),
              Importance.LOW,
              "Most memtables per store (one taking writes, the others waiting to be flushed);"
                  + " 3 is Kafka Streams' own default.")
          // --- model registry (issue 10) -----------------------------------------------------
          .define(
              REGISTRY_DIR,
              Type.STRING,
              "",
              Importance.MEDIUM,
              "Root directory of the model registry (docs/model-registry.md): a directory or a"
                  + " volume every instance mounts, holding <name>/<version>/ of each published"
                  + " bundle. No default: a relative default would give each instance of a"
                  + " cluster its own registry without a word, so the models commands ask for"
                  + " it (or --registry DIR).")
          .define(
              REGISTRY_SIGN_KEY,
              Type.STRING,
              "",
              Importance.LOW,
              "PEM file (PKCS#8 'PRIVATE KEY') of the Ed25519 key that models publish signs each"
                  + " new version's record with (docs/model-registry.md, Signed versions; make"
                  + " one with insession models keygen). A file, so that the key is never on a"
                  + " command line. Empty: versions are published unsigned.")
          .define(
              REGISTRY_VERIFY_KEYS,
              Type.STRING,
              "",
              Importance.LOW,
              "PEM file of one or more Ed25519 public keys ('PUBLIC KEY' blocks; several allow a"
                  + " key rotation). When set, a registry version is served (deployed) only if"
                  + " its record is signed by one of them; unsigned or badly signed versions are"
                  + " refused. Empty: signatures are not checked (checksums always are).")
          // --- retraining from the weblog topic (issue 11 point 5) ---------------------------
          .define(
              RETRAIN_PYTHON,
              Type.STRING,
              "/usr/bin/python3",
              new ConfigDef.NonEmptyString(),
              Importance.LOW,
              "Python interpreter that models retrain runs model-exporter with (it needs torch,"
                  + " onnx and numpy: model-exporter/README.md). On Debian the system Python"
                  + " with the python3-torch packages; elsewhere a virtual environment's python.")
          .define(
              RETRAIN_EXPORTER_DIR,
              Type.STRING,
              "model-exporter",
              new ConfigDef.NonEmptyString(),
              Importance.LOW,
              "Directory of model-exporter (it holds the package insession_exporter; put on"
                  + " PYTHONPATH for models retrain). Relative paths start at the working"
                  + " directory: the default fits a run from the repository root.")
          .define(
              RETRAIN_HOLDOUT,
              Type.DOUBLE,
              0.1,
              ConfigDef.Range.between(0.01, 0.5),
              Importance.LOW,
              "Share of the exported sessions that models retrain holds out, the latest by their"
                  + " first event: the candidate is trained on the others and evaluated and gated"
                  + " on these (docs/retraining.md).");

  /**
   * Standby replicas ({@code num.standby.replicas}; Kafka's default is 0): with two or more
   * instances each task's stores are kept warm on one other instance, which takes the task over
   * when its owner dies or stops without restoring the session store from the changelog first. With
   * one instance there is nowhere to put them and Streams runs without (it logs a warning).
   * Override with {@code KAFKA_NUM_STANDBY_REPLICAS} / {@code -s num.standby.replicas=N}.
   */
  private static final int DEFAULT_STANDBY_REPLICAS = 1;

  /** Kafka Streams' own default for poll.ms, the longest an idle stream thread blocks. */
  private static final long DEFAULT_POLL_MS = 100L;

  private final Map<String, String> kafkaProperties;

  private InSessionConfig(final Map<String, String> own, final Map<String, String> kafka) {
    super(DEFINITION, own, false);
    this.kafkaProperties = Map.copyOf(kafka);
  }

  /** The definition of every key (for docs and `--help`). */
  public static ConfigDef definition() {
    return DEFINITION;
  }

  /** A config from explicit settings only (defaults for the rest); for tests and embedding. */
  public static InSessionConfig of(final Map<String, String> settings) {
    final Map<String, String> own = new HashMap<>();
    final Map<String, String> kafka = new HashMap<>();
    settings.forEach(
        (key, value) -> {
          if (key.startsWith(PREFIX)) {
            own.put(key, value);
          } else {
            kafka.put(key, value);
          }
        });
    own.keySet().stream()
        .filter(k -> !DEFINITION.names().contains(k))
        .findFirst()
        .ifPresent(
            k -> {
              throw new ConfigException(
                  k, settings.get(k), "unknown InSession setting (see `insession config`)");
            });
    KAFKA_SPELLINGS.forEach((kafkaKey, ownKey) -> takeKafkaSpelling(own, kafka, kafkaKey, ownKey));
    return new InSessionConfig(own, kafka);
  }

  /**
   * Moves Kafka's spelling of one of InSession's keys ({@link #KAFKA_SPELLINGS}) to InSession's
   * key; both given with different values is an error.
   */
  private static void takeKafkaSpelling(
      final Map<String, String> own,
      final Map<String, String> kafka,
      final String kafkaKey,
      final String ownKey) {
    final String kafkaValue = kafka.remove(kafkaKey);
    if (kafkaValue == null) {
      return;
    }
    final String ownValue = own.putIfAbsent(ownKey, kafkaValue);
    if (ownValue != null && !ownValue.equals(kafkaValue)) {
      throw new ConfigException(
          ownKey
              + "="
              + ownValue
              + " and "
              + kafkaKey
              + "="
              + kafkaValue
              + " differ: they are the same setting; set only "
              + ownKey
              + " ("
              + ownKey.toUpperCase(Locale.ROOT).replace('.', '_')
              + ")");
    }
  }

  /**
   * Loads the layered config: defaults, then {@code file} (if given), then environment variables
   * ({@code INSESSION_*}, {@code KAFKA_*}), then {@code overrides}.
   */
  public static InSessionConfig load(
      final Path file, final Map<String, String> environment, final Map<String, String> overrides)
      throws IOException {
    final Map<String, String> merged = new TreeMap<>();
    if (file != null) {
      final Properties properties = new Properties();
      try (InputStream in = Files.newInputStream(file)) {
        properties.load(in);
      }
      properties.stringPropertyNames().forEach(k -> merged.put(k, properties.getProperty(k)));
    }
    final Set<String> ignored = new TreeSet<>();
    merged.putAll(fromEnvironment(environment, ignored));
    if (!ignored.isEmpty()) {
      LOG.warn(
          "Ignoring environment variables that name no setting (Kubernetes service links look"
              + " like this; enableServiceLinks: false turns them off): {}",
          ignored);
    }
    merged.putAll(overrides);
    return of(merged);
  }

  /**
   * Maps environment variables to keys: INSESSION_A_B → insession.a.b, KAFKA_A_B → a.b. Variables
   * with the prefix that name no setting (unknown {@code insession.*} keys, Kubernetes service
   * links) are left out and their names added to {@code ignored}.
   */
  static Map<String, String> fromEnvironment(
      final Map<String, String> environment, final Set<String> ignored) {
    final Map<String, String> keys = new TreeMap<>();
    environment.forEach(
        (name, value) -> {
          final String lower = name.toLowerCase(Locale.ROOT).replace('_', '.');
          final boolean own = name.startsWith("INSESSION_");
          if (!own && !name.startsWith("KAFKA_") || NOT_SETTINGS.contains(name)) {
            return;
          }
          if (own ? !DEFINITION.names().contains(lower) : SERVICE_LINK.matcher(name).matches()) {
            ignored.add(name);
          } else {
            keys.put(own ? lower : lower.substring("kafka.".length()), value);
          }
        });
    return keys;
  }

  /** The default rule chain of {@link #RULES_CHAIN}, rule names in order (validated). */
  public List<String> ruleChain() {
    return RuleChainSpec.parseChain(getList(RULES_CHAIN));
  }

  /** The variants' own rule chains of {@link #RULES_VARIANT_CHAINS} (validated). */
  public Map<String, List<String>> variantRuleChains() {
    return RuleChainSpec.parseVariantChains(getList(RULES_VARIANT_CHAINS));
  }

  /** The boosts and buries of {@link #RULES_CAMPAIGNS} (validated). */
  public List<CampaignSpec> campaigns() {
    return CampaignSpec.parseAll(getList(RULES_CAMPAIGNS));
  }

  /** The scorer variants of {@link #VARIANTS} (validated when the config was built). */
  public List<VariantSpec> variants() {
    return VariantSpec.parseAll(getList(VARIANTS));
  }

  /** The seen-items option of {@link #RULE_EXCLUDE_SEEN} (validated when the config was built). */
  public ExcludeSeenSpec excludeSeen() {
    return ExcludeSeenSpec.parse(getString(RULE_EXCLUDE_SEEN));
  }

  private static void validateExcludeSeen(final String name, final Object value) {
    try {
      ExcludeSeenSpec.parse(String.valueOf(value));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(name, value, e.getMessage());
    }
  }

  private static void validateInstanceId(final String name, final Object value) {
    final String id = String.valueOf(value);
    if (!id.isEmpty() && !INSTANCE_ID_PATTERN.matcher(id).matches()) {
      throw new ConfigException(
          name,
          value,
          "must be empty (dynamic membership) or 1 to 240 letters, digits, '.', '_' or '-'");
    }
  }

  private static void validateVariants(final String name, final Object value) {
    if (!(value instanceof List<?> entries)) {
      throw new ConfigException(name, value, "must be a list of NAME:SOURCE:WEIGHT");
    }
    try {
      VariantSpec.parseAll(entries.stream().map(String::valueOf).toList());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(name, value, e.getMessage());
    }
  }

  private static void validateCanarySteps(final String name, final Object value) {
    validateWith(name, value, InSessionConfig::parseCanarySteps);
  }

  /**
   * Parses canary steps: whole percentages, increasing, 1 to 100.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static List<Integer> parseCanarySteps(final List<String> entries) {
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("needs at least one step, e.g. 5,25,50,100");
    }
    final List<Integer> steps = new ArrayList<>();
    for (final String entry : entries) {
      final int step;
      try {
        step = Integer.parseInt(entry.strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("step '" + entry + "' is not a whole percentage", e);
      }
      if (step < 1 || step > 100) {
        throw new IllegalArgumentException("step " + step + " is not within 1 to 100 %");
      }
      if (!steps.isEmpty() && step <= steps.get(steps.size() - 1)) {
        throw new IllegalArgumentException("steps must increase, got " + entries);
      }
      steps.add(step);
    }
    return List.copyOf(steps);
  }

  /** The canary's steps of {@link #CANARY_STEPS} (validated when the config was built). */
  public List<Integer> canarySteps() {
    return parseCanarySteps(getList(CANARY_STEPS));
  }

  private static void validateRuleChain(final String name, final Object value) {
    validateWith(name, value, RuleChainSpec::parseChain);
  }

  private static void validateVariantChains(final String name, final Object value) {
    validateWith(name, value, RuleChainSpec::parseVariantChains);
  }

  private static void validateCampaigns(final String name, final Object value) {
    validateWith(name, value, CampaignSpec::parseAll);
  }

  private static void validateWith(
      final String name, final Object value, final Consumer<List<String>> parser) {
    if (!(value instanceof List<?> entries)) {
      throw new ConfigException(name, value, "must be a comma-separated list");
    }
    try {
      parser.accept(entries.stream().map(String::valueOf).toList());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(name, value, e.getMessage());
    }
  }

  public String applicationId() {
    return getString(APPLICATION_ID);
  }

  public long sessionGapMs() {
    return getLong(SESSION_GAP_MS);
  }

  /** The model registry's root directory, empty when none is configured. */
  public Optional<Path> registryDir() {
    final String dir = getString(REGISTRY_DIR).strip();
    return dir.isEmpty() ? Optional.empty() : Optional.of(Path.of(dir));
  }

  /** Every setting given explicitly (InSession's and Kafka's), as strings. */
  public Map<String, String> settings() {
    final Map<String, String> all = new TreeMap<>(originalsStrings());
    all.putAll(kafkaProperties);
    return all;
  }

  /** Kafka client and Streams settings given by the user, unchanged. */
  public Map<String, String> kafkaProperties() {
    return kafkaProperties;
  }

  /** The bootstrap servers, or localhost:9092 when none is configured. */
  public String bootstrapServers() {
    return kafkaProperties.getOrDefault(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
  }

  /**
   * Kafka Streams settings: InSession's defaults for per-event latency and exactly-once, the {@code
   * insession.rocksdb.*} settings (handed to the RocksDB config setter), then whatever the user set
   * for Kafka (which wins). The classes that carry these out (RocksDB config setter, exception
   * handlers, timestamp extractor) are wiring, not settings: {@code
   * runtime.RecommenderStreams.streamsProperties} adds them, and is what Kafka Streams runs with.
   */
  public Properties streamsSettings() {
    final Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId());
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    // emit per event, not per cache flush, and don't hold records back in the producer
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0);
    // an idle stream thread must come back to fire the micro-batch punctuator (with eager
    // batching its consumer polls without blocking while a batch waits, FreeThreadClientSupplier)
    // and to commit: a transaction is committed only between polls, so a long poll of an idle
    // thread would hold the last lists back from read_committed readers
    p.put(
        StreamsConfig.POLL_MS_CONFIG,
        Math.max(1L, Math.min(DEFAULT_POLL_MS, getLong(SCORING_BATCH_MAX_DELAY_MS))));
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    // how soon a member that stopped heartbeating loses its tasks; heartbeats five times as often
    final int sessionTimeoutMs = getInt(STREAMS_SESSION_TIMEOUT_MS);
    p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, sessionTimeoutMs);
    p.put(
        ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
        Math.min(MAX_HEARTBEAT_INTERVAL_MS, sessionTimeoutMs / HEARTBEATS_PER_SESSION_TIMEOUT));
    // static membership: Streams gives each stream thread's consumer <id>-<thread index>
    if (!getString(INSTANCE_ID).isEmpty()) {
      p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, getString(INSTANCE_ID));
    }
    // a warm copy of every task's state on another instance (docs/high-availability.md)
    p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, DEFAULT_STANDBY_REPLICAS);
    // one memory budget for every RocksDB store; Streams hands the config setter these keys
    rocksDbSettings().forEach(p::put);
    p.putAll(kafkaProperties);
    return p;
  }

  /** The effective {@code insession.rocksdb.*} settings, parsed (defaults included). */
  private Map<String, Object> rocksDbSettings() {
    final Map<String, Object> settings = new TreeMap<>();
    values()
        .forEach(
            (key, value) -> {
              if (key.startsWith(ROCKSDB_PREFIX)) {
                settings.put(key, value);
              }
            });
    return settings;
  }

  /** Properties for plain Kafka clients (admin, producer, consumer): the user's Kafka settings. */
  public Map<String, Object> clientProperties() {
    final Map<String, Object> p = new HashMap<>(kafkaProperties);
    p.putIfAbsent(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return p;
  }

  /** Every effective setting, secrets masked, sorted; for the start-up log line. */
  public Map<String, String> describe() {
    final Map<String, String> all = new TreeMap<>();
    values().forEach((k, v) -> all.put(k, String.valueOf(v)));
    kafkaProperties.forEach((k, v) -> all.put(k, isSecret(k) ? "[hidden]" : v));
    return all;
  }

  /** Whether a setting holds a secret (password, key, token, JAAS config) to mask in logs. */
  public static boolean isSecret(final String key) {
    final String lower = key.toLowerCase(Locale.ROOT);
    return lower.contains("password")
        || lower.contains("secret")
        || lower.contains("jaas")
        || lower.contains("token")
        || lower.endsWith(".key");
  }
}
