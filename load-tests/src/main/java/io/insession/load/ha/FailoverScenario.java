package io.insession.load.ha;

import io.insession.config.InSessionConfig;
import io.insession.kafka.JavaKeyPartitioner;
import io.insession.kafka.TopicSetup;
import io.insession.kafka.Topics;
import io.insession.load.stack.ChildApp;
import io.insession.load.stack.EmbeddedStack;
import io.insession.runtime.InSessionTopics;
import io.insession.schemas.EventType;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.ModelBundle;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several {@code insession run} processes in one Streams group (standby replicas by default) on an
 * embedded broker, a steady stream of events, and a {@code read_committed} reader that notes every
 * list with the time it arrived. Instances can be killed ({@code kill -9}), stopped (SIGTERM) and
 * started again on their state directory. What it records answers: was any list lost or duplicated
 * ({@link #countsPerEvent()}), and how long did a partition go without lists ({@link
 * #firstListAfter}, {@link #longestSilence}). Used by {@code FailoverIT} (correctness) and {@code
 * load-tests/run failover} (the figures).
 */
public final class FailoverScenario implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FailoverScenario.class);

  /**
   * What to run.
   *
   * @param instances how many {@code run} processes
   * @param partitions partitions of the input and recommendations topics
   * @param sessions sessions the events rotate over (one event each per round)
   * @param eventsPerSecond the steady input rate
   * @param appJar the app's jar
   * @param bundle the model bundle every instance serves
   * @param javaOptions JVM options of each instance
   * @param appSettings extra {@code KEY=VALUE} settings of each instance
   * @param staticMembership whether each instance has its own {@code insession.instance.id}
   *     (Kafka's {@code group.instance.id}; kept across its restarts) or joins as a dynamic member
   */
  public record Settings(
      int instances,
      int partitions,
      int sessions,
      double eventsPerSecond,
      Path appJar,
      Path bundle,
      List<String> javaOptions,
      List<String> appSettings,
      boolean staticMembership) {

    /** Validates and copies. */
    public Settings {
      if (instances < 1 || partitions < 1 || sessions < 1 || !(eventsPerSecond > 0)) {
        throw new IllegalArgumentException(
            "instances, partitions, sessions and the rate must be positive");
      }
      if (sessions < partitions) {
        // a partition without sessions gets no lists: its failover could not be seen
        throw new IllegalArgumentException(
            "at least one session per partition: " + sessions + " < " + partitions);
      }
      Objects.requireNonNull(appJar, "appJar");
      Objects.requireNonNull(bundle, "bundle");
      javaOptions = List.copyOf(javaOptions);
      appSettings = List.copyOf(appSettings);
    }
  }

  private final Settings settings;
  private final EmbeddedStack stack;
  private final String applicationId;
  private final Topics topics;
  private final List<ChildApp> instances = new ArrayList<>();
  private final List<Integer> metricsPorts = new ArrayList<>();
  private final List<String> items;
  private final List<String> sessionIds;
  private final KafkaProducer<String, WeblogEvent> producer;
  private final ListReader reader;
  private final List<WeblogEvent> sent = new CopyOnWriteArrayList<>();
  private final AtomicLong sendErrors = new AtomicLong();
  private final AtomicLong nextEvent = new AtomicLong();
  private final ScheduledExecutorService pacer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            final Thread t = new Thread(r, "failover-load");
            t.setDaemon(true);
            return t;
          });
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private ScheduledFuture<?> load;

  private FailoverScenario(
      final Settings settings,
      final EmbeddedStack stack,
      final String applicationId,
      final InSessionConfig config) {
    this.settings = settings;
    this.stack = stack;
    this.applicationId = applicationId;
    this.topics = Topics.from(config);
    final ModelBundle bundle = ModelBundle.load(settings.bundle());
    final List<String> known = new ArrayList<>();
    for (int i = 0; i < Math.min(bundle.numItems(), 500); i++) {
      known.add(bundle.itemId(i));
    }
    this.items = List.copyOf(known);
    this.sessionIds =
        spreadSessionIds(
            applicationId + "-s",
            settings.sessions(),
            settings.partitions(),
            key -> topics.weblog().keySerde().serializer().serialize(topics.weblog().name(), key));
    final Map<String, Object> producerProps = new HashMap<>(config.clientProperties());
    producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
    this.producer =
        new KafkaProducer<>(
            producerProps,
            topics.weblog().keySerde().serializer(),
            topics.weblog().valueSerde().serializer());
    this.reader =
        ListReader.start(
            config.clientProperties(), topics.recommendations(), settings.partitions());
  }

  /**
   * Creates the topics, starts the instances (not waiting for them) and the list reader.
   *
   * @param applicationId the Streams group of the instances (unique per run)
   */
  public static FailoverScenario start(
      final EmbeddedStack stack, final Settings settings, final String applicationId)
      throws IOException {
    final Map<String, String> shared = new HashMap<>();
    shared.put("bootstrap.servers", stack.bootstrapServers());
    shared.put(InSessionConfig.APPLICATION_ID, applicationId);
    shared.put(InSessionConfig.TOPIC_PARTITIONS, String.valueOf(settings.partitions()));
    shared.put(InSessionConfig.WEBLOG_TOPIC, applicationId + "-weblog");
    shared.put(InSessionConfig.RECOMMENDATIONS_TOPIC, applicationId + "-recommendations");
    shared.put(InSessionConfig.DEAD_LETTER_TOPIC, applicationId + "-dead-letter");
    final InSessionConfig config = InSessionConfig.of(shared);
    try (Admin admin = Admin.create(config.clientProperties())) {
      TopicSetup.ensureTopics(admin, InSessionTopics.specs(config), Duration.ofSeconds(60));
    }
    final List<String> appSettings = new ArrayList<>();
    // a machine busy with several JVMs can take longer than the default to answer a restarted
    // instance's first call; a start that gives up is not what is measured here
    appSettings.add(InSessionConfig.KAFKA_CONNECT_TIMEOUT_MS + "=120000");
    // the bootstrap servers go as --bootstrap-servers
    shared.forEach(
        (key, value) -> {
          if (!"bootstrap.servers".equals(key)) {
            appSettings.add(key + "=" + value);
          }
        });
    appSettings.addAll(settings.appSettings());
    final Settings withTopics =
        new Settings(
            settings.instances(),
            settings.partitions(),
            settings.sessions(),
            settings.eventsPerSecond(),
            settings.appJar(),
            settings.bundle(),
            settings.javaOptions(),
            appSettings,
            settings.staticMembership());
    final FailoverScenario scenario =
        new FailoverScenario(withTopics, stack, applicationId, config);
    for (int i = 0; i < settings.instances(); i++) {
      scenario.metricsPorts.add(EmbeddedStack.freePort());
      scenario.instances.add(scenario.launch(i));
    }
    return scenario;
  }

  private ChildApp launch(final int instance) throws IOException {
    final List<String> appSettings = new ArrayList<>(settings.appSettings());
    appSettings.add(InSessionConfig.METRICS_PORT + "=" + metricsPorts.get(instance));
    if (settings.staticMembership()) {
      // as the StatefulSet does with the pod name: the same name across restarts
      appSettings.add(InSessionConfig.INSTANCE_ID + "=instance-" + instance);
    }
    return stack.startApp(
        "instance-" + instance,
        stack.workDir().resolve("state-" + applicationId + "-" + instance),
        stack.workDir().resolve(applicationId + "-instance-" + instance + ".log"),
        settings.appJar(),
        settings.bundle(),
        settings.javaOptions(),
        appSettings);
  }

  /** How many instances there are (running or not). */
  public int instances() {
    return instances.size();
  }

  /**
   * Whether instance {@code i} answers 200 on {@code /ready} (Streams RUNNING, brokers reached).
   */
  public boolean isReady(final int i) {
    if (!instances.get(i).isAlive()) {
      return false;
    }
    try {
      final HttpResponse<Void> answer =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + metricsPorts.get(i) + "/ready"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      return answer.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Whether every instance is ready.
   *
   * @throws IllegalStateException when one has exited (it names its log)
   */
  public boolean allReady() {
    for (int i = 0; i < instances.size(); i++) {
      requireAlive(i);
      if (!isReady(i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Starts the steady input: one event every {@code 1/rate} s, the sessions in turn, each event a
   * known item of the bundle.
   */
  public synchronized void startLoad() {
    if (load != null) {
      throw new IllegalStateException("the load runs already");
    }
    final long periodNanos = Math.max(1L, Math.round(1e9 / settings.eventsPerSecond()));
    load = pacer.scheduleAtFixedRate(this::sendNext, 0, periodNanos, TimeUnit.NANOSECONDS);
  }

  /** Stops the input and waits until every event sent is acknowledged by the broker. */
  public synchronized void stopLoad() throws InterruptedException {
    if (load != null) {
      load.cancel(false);
      load = null;
      try {
        // the pacer's one thread: once this has run, no send of the load is in progress
        pacer.submit(() -> {}).get();
      } catch (ExecutionException e) {
        throw new IllegalStateException("the pacer failed", e);
      }
    }
    producer.flush();
    if (sendErrors.get() > 0) {
      throw new IllegalStateException(sendErrors.get() + " events could not be sent");
    }
  }

  private void sendNext() {
    final long n = nextEvent.getAndIncrement();
    final int session = (int) (n % settings.sessions());
    final long position = n / settings.sessions();
    final String sessionId = sessionIds.get(session);
    final WeblogEvent event =
        WeblogEvent.newBuilder()
            .setEventId(sessionId + "-e" + position)
            .setSessionId(sessionId)
            .setEventType(EventType.PRODUCT_VIEW)
            .setItemId(items.get((int) ((session * 31L + position * 7L) % items.size())))
            .setEventTime(Instant.now())
            .build();
    sent.add(event);
    producer.send(
        new ProducerRecord<>(
            topics.weblog().name(), null, event.getEventTime().toEpochMilli(), sessionId, event),
        (metadata, error) -> {
          if (error != null) {
            sendErrors.incrementAndGet();
            LOG.error("Sending {} failed: {}", event.getEventId(), error.toString());
          }
        });
  }

  /**
   * {@code count} session ids {@code prefix + n}, spread over the partitions as evenly as counts
   * allow (the producer's murmur2 partition of the serialized key): every partition carries load,
   * so every partition must get lists again after a disruption. With ids taken as they come, 24
   * sessions over 6 partitions leave one partition without any in about 7 % of runs.
   *
   * @param keyBytes the key serializer of the input topic
   */
  static List<String> spreadSessionIds(
      final String prefix,
      final int count,
      final int partitions,
      final Function<String, byte[]> keyBytes) {
    final int perPartition = (count + partitions - 1) / partitions;
    final int[] taken = new int[partitions];
    final List<List<String>> byPartition = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      byPartition.add(new ArrayList<>());
    }
    int found = 0;
    for (long n = 0; found < count; n++) {
      final String id = prefix + n;
      final int p = JavaKeyPartitioner.partitionOf(keyBytes.apply(id), partitions);
      // fill every partition to count / partitions first, then hand out the remainder
      final int cap = found < count - count % partitions ? count / partitions : perPartition;
      if (taken[p] < cap) {
        taken[p]++;
        byPartition.get(p).add(id);
        found++;
      }
    }
    // round robin over the partitions, so consecutive events go to different partitions
    final List<String> ids = new ArrayList<>(count);
    for (int i = 0; ids.size() < count; i++) {
      for (final List<String> onPartition : byPartition) {
        if (i < onPartition.size()) {
          ids.add(onPartition.get(i));
        }
      }
    }
    return List.copyOf(ids);
  }

  /**
   * {@code kill -9} of instance {@code i}.
   *
   * @return {@link System#nanoTime()} just before the signal
   */
  public long kill(final int i) throws InterruptedException {
    final long at = System.nanoTime();
    instances.get(i).kill();
    LOG.info("Killed instance {} (kill -9)", i);
    return at;
  }

  /**
   * A clean stop of instance {@code i} (SIGTERM; waits until it has exited).
   *
   * @return {@link System#nanoTime()} just before the signal
   */
  public long stop(final int i) {
    final long at = System.nanoTime();
    instances.get(i).close();
    LOG.info("Stopped instance {} (SIGTERM)", i);
    return at;
  }

  /** Starts instance {@code i} again on its state directory (it must have ended). */
  public void restart(final int i) throws IOException {
    if (instances.get(i).isAlive()) {
      throw new IllegalStateException("instance " + i + " still runs");
    }
    instances.set(i, launch(i));
  }

  /** Throws when an instance that should run has ended. */
  public void requireAlive(final int i) {
    instances.get(i).requireAlive();
  }

  /** Every event sent so far. */
  public List<WeblogEvent> sent() {
    return List.copyOf(sent);
  }

  /** Every committed list read so far. */
  public List<ListReader.ReceivedList> received() {
    return reader.received();
  }

  /** How many committed lists each trigger event has (an event missing here has none). */
  public Map<String, Integer> countsPerEvent() {
    final Map<String, Integer> counts = new HashMap<>();
    for (final ListReader.ReceivedList r : reader.received()) {
      counts.merge(r.list().getTriggerEventId(), 1, Integer::sum);
    }
    return counts;
  }

  /** Whether every event sent has at least one list. */
  public boolean everyEventHasAList() {
    final Map<String, Integer> counts = countsPerEvent();
    return sent.stream().allMatch(e -> counts.containsKey(e.getEventId()));
  }

  /**
   * Per partition, how long after {@code fromNanos} its first list arrived (empty when none has
   * yet); the partitions of a dead instance show the failover gap, the others the plain latency.
   */
  public Map<Integer, Duration> firstListAfter(final long fromNanos) {
    final Map<Integer, Duration> first = new HashMap<>();
    for (final ListReader.ReceivedList r : reader.received()) {
      if (r.receivedNanos() > fromNanos) {
        first.merge(
            r.partition(),
            Duration.ofNanos(r.receivedNanos() - fromNanos),
            (a, b) -> a.compareTo(b) <= 0 ? a : b);
      }
    }
    return first;
  }

  /**
   * The longest time any partition went without a list between {@code fromNanos} and {@code
   * toNanos} (from the window's start to a partition's first list counts too).
   */
  public Duration longestSilence(final long fromNanos, final long toNanos) {
    return silencePerPartition(fromNanos, toNanos).values().stream()
        .max(Duration::compareTo)
        .orElse(Duration.ZERO);
  }

  /**
   * Per partition, the longest time it went without a list between {@code fromNanos} and {@code
   * toNanos} (from the window's start to its first list, and from its last list to the window's
   * end, count too).
   */
  public Map<Integer, Duration> silencePerPartition(final long fromNanos, final long toNanos) {
    final Map<Integer, Long> last = new HashMap<>();
    final Map<Integer, Long> longest = new HashMap<>();
    for (final ListReader.ReceivedList r : reader.received()) {
      if (r.receivedNanos() <= fromNanos || r.receivedNanos() > toNanos) {
        continue;
      }
      final long previous = last.getOrDefault(r.partition(), fromNanos);
      longest.merge(r.partition(), r.receivedNanos() - previous, Math::max);
      last.put(r.partition(), r.receivedNanos());
    }
    final Map<Integer, Duration> silences = new HashMap<>();
    for (int p = 0; p < settings.partitions(); p++) {
      final long tail = toNanos - last.getOrDefault(p, fromNanos);
      silences.put(p, Duration.ofNanos(Math.max(tail, longest.getOrDefault(p, 0L))));
    }
    return silences;
  }

  /** The recommendations topic's name. */
  public String recommendationsTopic() {
    return topics.recommendations().name();
  }

  /** The input topic's name. */
  public String weblogTopic() {
    return topics.weblog().name();
  }

  @Override
  public void close() {
    pacer.shutdownNow();
    reader.close();
    producer.close(Duration.ofSeconds(10));
    for (final ChildApp instance : instances) {
      instance.close();
    }
  }
}
