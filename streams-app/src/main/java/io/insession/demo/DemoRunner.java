package io.insession.demo;

import io.insession.config.InSessionConfig;
import io.insession.data.Click;
import io.insession.data.SessionFiles;
import io.insession.experiments.KpiTable;
import io.insession.kafka.EmbeddedKafkaBroker;
import io.insession.kafka.Topics;
import io.insession.runtime.RecommenderService;
import io.insession.runtime.ShutdownSignal;
import io.insession.schemas.ExperimentKpis;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.ModelBundle;
import io.insession.scoring.ModelInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one-command demo: a real KRaft broker in this process (or an existing cluster), the topics,
 * the demo model, the topology, the lookup API, and real sample sessions replayed as live events,
 * with each list shown as it arrives.
 */
public final class DemoRunner {

  /** The demo's servers listen on this machine only, unless the settings say otherwise. */
  private static final String LOOPBACK = "127.0.0.1";

  private static final Logger LOG = LoggerFactory.getLogger(DemoRunner.class);
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration SERVED_POLL = Duration.ofMillis(20);
  // a roll-out's last events wait for the new version when the swap has not landed by then
  private static final int ROLLOUT_TAIL = 10;

  /** The rules the demo's catalogue part serves (unless the settings name others). */
  static final String CATALOG_CHAIN = "content,available,exclude-seen";

  /** The experiment's variants (unless the settings name others): the model against popular. */
  static final String EXPERIMENT_VARIANTS = "control:popular:50,gru:bundle:50";

  /** The experiment's id, the variant set's salt (unless the settings name another). */
  static final String EXPERIMENT_SALT = "demo-experiment";

  /** How often the experiment's tasks send their sums (unless the settings say otherwise). */
  static final String EXPERIMENT_EMIT_MS = "1000";

  /** How often the live KPIs are printed when they moved. */
  static final Duration KPI_REFRESH = Duration.ofSeconds(5);

  private final DemoOptions options;
  private final Map<String, String> settings;
  private final PrintStream out;

  /**
   * @param settings the user's settings (bootstrap.servers selects an external cluster)
   */
  public DemoRunner(
      final DemoOptions options, final Map<String, String> settings, final PrintStream out) {
    this.options = options;
    this.settings = Map.copyOf(settings);
    this.out = out;
  }

  /** Runs the demo; returns the exit code. */
  public int run() throws Exception {
    final long start = System.nanoTime();
    final Path work = Files.createTempDirectory("insession-demo-");
    try (ShutdownSignal signal = ShutdownSignal.install(Duration.ofSeconds(40))) {
      final EmbeddedKafkaBroker.Ports brokerPorts = brokerPortsUnlessExternal();
      final Map<String, String> effective = new HashMap<>(settings);
      if (!effective.containsKey(StreamsConfig.APPLICATION_ID_CONFIG)) {
        effective.putIfAbsent(
            InSessionConfig.APPLICATION_ID,
            "insession-demo-" + UUID.randomUUID().toString().substring(0, 8));
      }
      effective.put(StreamsConfig.STATE_DIR_CONFIG, work.resolve("state").toString());
      effective.put(InSessionConfig.API_PORT, String.valueOf(freeOrAny(options.apiPort())));
      effective.put(
          InSessionConfig.METRICS_PORT,
          String.valueOf(
              freeOrAny(InSessionConfig.of(effective).getInt(InSessionConfig.METRICS_PORT))));
      effective.put(
          InSessionConfig.API_METRICS_PORT,
          String.valueOf(
              freeOrAny(InSessionConfig.of(effective).getInt(InSessionConfig.API_METRICS_PORT))));
      // a local demo: no keys to set up, so nothing listens beyond this machine (HttpGuard warns)
      effective.putIfAbsent(InSessionConfig.API_AUTH, InSessionConfig.AUTH_NONE);
      effective.putIfAbsent(InSessionConfig.API_BIND_ADDRESS, LOOPBACK);
      effective.putIfAbsent(InSessionConfig.METRICS_BIND_ADDRESS, LOOPBACK);
      effective.putIfAbsent(InSessionConfig.TOPIC_PARTITIONS, "3");
      final Path bundle = bundleDir(work);
      effective.put(InSessionConfig.MODEL_BUNDLE, bundle.toString());
      final Rollout rollout =
          options.rollout() ? Rollout.publish(bundle, work.resolve("registry"), out) : null;
      if (rollout != null) {
        effective.put(InSessionConfig.REGISTRY_DIR, rollout.registryDir().toString());
      }
      if (options.catalog()) {
        effective.putIfAbsent(InSessionConfig.RULES_CHAIN, CATALOG_CHAIN);
      }
      if (options.experiment()) {
        effective.putIfAbsent(InSessionConfig.VARIANTS, EXPERIMENT_VARIANTS);
        effective.putIfAbsent(InSessionConfig.VARIANTS_SALT, EXPERIMENT_SALT);
        effective.putIfAbsent(InSessionConfig.EXPERIMENTS_EMIT_INTERVAL_MS, EXPERIMENT_EMIT_MS);
        // a session's lists then depend on its own events only (live trending lists, the
        // cold-start fallback when on, depend on every session's timing), so the simulated
        // shoppers' events, and the KPIs, are the same on every run with the same seed
        effective.putIfAbsent(InSessionConfig.TRENDING_ENABLED, "false");
      }
      final RecommenderService.Builder assembly =
          RecommenderService.builder(InSessionConfig.of(effective)).stream()
              .metrics()
              .deployments()
              .lookupApi()
              .onFailure(signal::request);
      if (brokerPorts != null) {
        assembly.embeddedBroker(brokerPorts, 3);
      }
      final Map<String, List<Click>> sessions = sessions();
      final List<Click> clicks = SessionReplayer.interleave(sessions);
      try (RecommenderService service = assembly.start();
          RecommendationWatcher watcher =
              new RecommendationWatcher(
                  service.config().clientProperties(),
                  Topics.from(service.config()).recommendations(),
                  options.quiet() ? nullStream() : out,
                  Clock.systemUTC());
          KafkaProducer<String, WeblogEvent> producer =
              producer(service.config(), Topics.from(service.config()));
          LiveKpis live =
              options.experiment()
                  ? LiveKpis.start(
                      service.config(),
                      service.config().getString(InSessionConfig.VARIANTS_SALT),
                      out,
                      KPI_REFRESH)
                  : null) {
        final InSessionConfig config = service.config();
        final Topics topics = Topics.from(config);
        if (!service.streams().awaitRunning(Duration.ofSeconds(60))) {
          out.println("Kafka Streams did not reach RUNNING within 60 s; see the log.");
          return 1;
        }
        watcher.start();
        out.printf(
            Locale.ROOT,
            "%nInSession demo ready in %.1f s: Kafka at %s, %s, lookup API on port %d,"
                + " metrics on port %d.%n"
                + "Replaying %d real sessions (%d product views) at %.0f events/s (about %d s)."
                + " Ctrl-C stops.%n"
                + "Try:  curl -s localhost:%d/v1/sessions/%s/recommendations%n%n",
            (System.nanoTime() - start) / 1e9,
            config.bootstrapServers(),
            models(service.variants().models()),
            service.lookupApiPort(),
            service.metricsPort(),
            sessions.size(),
            clicks.size(),
            options.eventsPerSecond(),
            SessionReplayer.duration(clicks.size(), options.eventsPerSecond()).toSeconds(),
            service.lookupApiPort(),
            clicks.isEmpty() ? "<session>" : clicks.get(0).sessionId());
        final CatalogShowcase showcase =
            options.catalog()
                ? CatalogShowcase.load(
                    config, service.streams().streams(), vocabulary(bundle), out, Clock.systemUTC())
                : null;
        final SimulatedShoppers shoppers =
            options.experiment()
                ? new SimulatedShoppers(
                    ShopperModel.withSeed(options.seed()),
                    producer,
                    topics.weblog().name(),
                    Clock.systemUTC(),
                    options.quiet() ? nullStream() : out)
                : null;
        final int sent;
        if (shoppers != null) {
          out.printf(
              Locale.ROOT,
              "Experiment %s: variants %s; SIMULATED shoppers (seed %d) click, add to cart and buy"
                  + " from the lists they are shown; live KPIs every %d s.%n",
              config.getString(InSessionConfig.VARIANTS_SALT),
              config.getList(InSessionConfig.VARIANTS),
              options.seed(),
              KPI_REFRESH.toSeconds());
          watcher.listener(shoppers);
          final SimulatedShoppers.Result result =
              shoppers.run(
                  sessions,
                  options.eventsPerSecond(),
                  DRAIN_TIMEOUT,
                  event -> watcher.viewed(event.getEventId(), event.getItemId()),
                  signal::requested);
          if (result.stalled()) {
            out.printf(
                Locale.ROOT,
                "A simulated shopper waited more than %d s for a list; see the log.%n",
                DRAIN_TIMEOUT.toSeconds());
          }
          sent = result.sent();
        } else if (showcase != null) {
          final int half = clicks.size() / 2;
          final int first = replay(producer, topics, clicks.subList(0, half), watcher, signal);
          final List<Click> rest = clicks.subList(half, clicks.size());
          // the first half's lists all in, so the item recommended most is known
          awaitLists(watcher, first, signal);
          showcase.halfway(
              watcher.catalog().mostRecommended().orElse(clicks.get(0).itemId()),
              rest,
              watcher.catalog());
          watcher.catalog().viewerOfNewItem(CatalogShowcase.VIEWER);
          final int viewer =
              replay(
                  producer,
                  topics,
                  List.of(new Click(CatalogShowcase.VIEWER, CatalogShowcase.NEW_ITEM, null)),
                  watcher,
                  signal);
          sent = first + viewer + replay(producer, topics, rest, watcher, signal);
        } else if (rollout == null) {
          sent = replay(producer, topics, clicks, watcher, signal);
        } else {
          final int half = clicks.size() / 2;
          final int tail = Math.min(clicks.size() - half, ROLLOUT_TAIL);
          final int first = replay(producer, topics, clicks.subList(0, half), watcher, signal);
          // deployed on another thread, so that the replay keeps its rate through the swap
          final CompletableFuture<String> deployed =
              CompletableFuture.supplyAsync(
                  () ->
                      rollout.deploy(
                          config, service.variants().primary().name(), watcher.rollout()));
          final int steady =
              replay(producer, topics, clicks.subList(half, clicks.size() - tail), watcher, signal);
          // the last events once the new version serves, however long opening, verifying and
          // warming it took on this machine: the roll-out is seen on every run
          awaitServed(service, deployed.join(), tail, signal);
          sent =
              first
                  + steady
                  + replay(
                      producer,
                      topics,
                      clicks.subList(clicks.size() - tail, clicks.size()),
                      watcher,
                      signal);
        }
        final boolean drained = awaitLists(watcher, sent, signal);
        out.printf(Locale.ROOT, "%nReplayed %d events. %s%n", sent, watcher.summary());
        final boolean switched = rollout == null || watcher.rollout().switched();
        if (rollout != null) {
          out.println(watcher.rollout().summary());
          if (switched) {
            out.println(
                ReencodingCost.measure(
                    service.variants().primary().scorer(),
                    sessions.values(),
                    config.getInt(InSessionConfig.SESSION_RECENT_ITEMS)));
          }
          if (!switched) {
            out.println("No list of the deployed version arrived; see the log.");
          }
        }
        final boolean catalogShown = showcase == null || watcher.catalog().shown();
        if (showcase != null) {
          out.println(watcher.catalog().summary());
        }
        final boolean counted =
            live == null || experimentSummary(live, shoppers, sessions.size(), watcher, signal);
        if (options.exitAfterReplay()) {
          return drained && switched && catalogShown && counted ? 0 : 1;
        }
        out.printf(
            Locale.ROOT,
            "Replay done; the API keeps serving on port %d until Ctrl-C.%n",
            service.lookupApiPort());
        signal.await();
        return service.hasFailed() ? 1 : 0;
      }
    } finally {
      deleteRecursively(work);
    }
  }

  /**
   * Waits until the experiment's KPIs count every replayed session and list, then prints them, what
   * the simulated shoppers did, and each variant's lifts.
   *
   * @return whether the KPIs counted everything in time
   */
  private boolean experimentSummary(
      final LiveKpis live,
      final SimulatedShoppers shoppers,
      final int sessions,
      final RecommendationWatcher watcher,
      final ShutdownSignal signal)
      throws InterruptedException {
    final Optional<ExperimentKpis> kpis =
        live.awaitCounted(sessions, watcher.received(), DRAIN_TIMEOUT, signal::requested);
    if (kpis.isEmpty()) {
      out.printf(
          Locale.ROOT,
          "The experiment's KPIs did not count the %d sessions and %d lists within %d s;"
              + " the latest: %s%n",
          sessions,
          watcher.received(),
          DRAIN_TIMEOUT.toSeconds(),
          live.latest().map(k -> KpiTable.format(k, "since it started")).orElse("none"));
      return false;
    }
    out.print(
        "── Final KPIs: SIMULATED shoppers; they show the loop at work, not what a shop would"
            + " see ──"
            + System.lineSeparator()
            + KpiTable.format(kpis.get(), "since it started")
            + shoppers.summary()
            + LiveKpis.verdict(kpis.get()));
    return true;
  }

  private int replay(
      final KafkaProducer<String, WeblogEvent> producer,
      final Topics topics,
      final List<Click> clicks,
      final RecommendationWatcher watcher,
      final ShutdownSignal signal)
      throws InterruptedException {
    return new SessionReplayer(producer, topics.weblog().name(), Clock.systemUTC())
        .replay(
            clicks,
            options.eventsPerSecond(),
            event -> watcher.viewed(event.getEventId(), event.getItemId()),
            signal::requested);
  }

  /**
   * Waits until {@code service} serves {@code deployment} (or {@link #DRAIN_TIMEOUT} passes, or
   * Ctrl-C) and says how long the replay waited when it had to; the replay goes on either way.
   */
  private void awaitServed(
      final RecommenderService service,
      final String deployment,
      final int tail,
      final ShutdownSignal signal)
      throws InterruptedException {
    final long start = System.nanoTime();
    final long deadline = start + DRAIN_TIMEOUT.toNanos();
    boolean waited = false;
    while (!service.deployments().served().map(deployment::equals).orElse(false)) {
      if (signal.requested() || System.nanoTime() > deadline) {
        out.printf(
            Locale.ROOT,
            "%s was not served within %d s; the replay goes on.%n",
            deployment,
            DRAIN_TIMEOUT.toSeconds());
        return;
      }
      waited = true;
      Thread.sleep(SERVED_POLL.toMillis());
    }
    if (waited) {
      out.printf(
          Locale.ROOT,
          "The replay waited %d ms for the new version before its last %d events (the longest"
              + " gap below includes that wait).%n",
          Duration.ofNanos(System.nanoTime() - start).toMillis(),
          tail);
    }
  }

  private boolean awaitLists(
      final RecommendationWatcher watcher, final int expected, final ShutdownSignal signal)
      throws InterruptedException {
    final boolean all = watcher.awaitReceived(expected, DRAIN_TIMEOUT, signal::requested);
    if (!all) {
      out.printf(
          Locale.ROOT,
          "Only %d of %d lists arrived within %d s.%n",
          watcher.received(),
          expected,
          DRAIN_TIMEOUT.toSeconds());
    }
    return all;
  }

  /** "model NAME VERSION", or with several variants "models VARIANT=NAME VERSION, ...". */
  private static String models(final Map<String, ModelInfo> byVariant) {
    if (byVariant.size() == 1) {
      final ModelInfo model = byVariant.values().iterator().next();
      return "model " + model.name() + " " + model.version();
    }
    final List<String> models = new ArrayList<>();
    byVariant.forEach(
        (variant, model) -> models.add(variant + "=" + model.name() + " " + model.version()));
    return "models " + String.join(", ", models);
  }

  /** The embedded broker's ports (free ones if those asked for are taken), or null. */
  private EmbeddedKafkaBroker.Ports brokerPortsUnlessExternal() {
    if (settings.containsKey(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)) {
      LOG.info(
          "Using the Kafka cluster at {}", settings.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
      return null;
    }
    EmbeddedKafkaBroker.Ports ports;
    if (options.kafkaPort() == 0) {
      ports = EmbeddedKafkaBroker.findFreePorts();
    } else {
      ports = new EmbeddedKafkaBroker.Ports(options.kafkaPort(), options.kafkaPort() + 1);
    }
    if (!isFree(ports.broker()) || !isFree(ports.controller())) {
      final EmbeddedKafkaBroker.Ports free = EmbeddedKafkaBroker.findFreePorts();
      out.printf(
          Locale.ROOT,
          "Port %d or %d is taken; the embedded broker uses %d and %d instead.%n",
          ports.broker(),
          ports.controller(),
          free.broker(),
          free.controller());
      ports = free;
    }
    out.printf(
        Locale.ROOT,
        "Starting a Kafka broker (KRaft) in this process on port %d...%n",
        ports.broker());
    return ports;
  }

  private Path bundleDir(final Path work) throws IOException {
    return options.bundle() != null
        ? options.bundle()
        : DemoBundle.extractTo(work.resolve("bundle"));
  }

  /** The item ids of the bundle in {@code dir}. */
  private static List<String> vocabulary(final Path dir) {
    final ModelBundle bundle = ModelBundle.load(dir);
    final List<String> ids = new ArrayList<>(bundle.numItems());
    for (int i = 0; i < bundle.numItems(); i++) {
      ids.add(bundle.itemId(i));
    }
    return ids;
  }

  private Map<String, List<Click>> sessions() throws IOException {
    final Map<String, List<Click>> all;
    if (options.sessions() != null) {
      all = SessionFiles.readSessions(options.sessions());
    } else {
      try (InputStream in = DemoBundle.sessions()) {
        all = SessionFiles.readSessions(in, "demo sessions.tsv");
      }
    }
    if (options.maxSessions() <= 0 || options.maxSessions() >= all.size()) {
      return all;
    }
    final Map<String, List<Click>> some = new LinkedHashMap<>();
    for (final Map.Entry<String, List<Click>> entry : all.entrySet()) {
      if (some.size() == options.maxSessions()) {
        break;
      }
      some.put(entry.getKey(), entry.getValue());
    }
    return some;
  }

  private static KafkaProducer<String, WeblogEvent> producer(
      final InSessionConfig config, final Topics topics) {
    final Properties props = new Properties();
    props.putAll(config.clientProperties());
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(
        props, topics.weblog().keySerde().serializer(), topics.weblog().valueSerde().serializer());
  }

  private static int freeOrAny(final int port) {
    return port == 0 || isFree(port) ? port : 0;
  }

  private static boolean isFree(final int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static PrintStream nullStream() {
    return new PrintStream(OutputStream.nullOutputStream());
  }

  private static void deleteRecursively(final Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(DemoRunner::deleteQuietly);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clean up " + dir, e);
    }
  }

  private static void deleteQuietly(final Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      LOG.warn("Could not delete {}: {}", path, e.getMessage());
    }
  }
}
