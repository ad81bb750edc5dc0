package io.insession.demo;

import io.insession.config.InSessionConfig;
import io.insession.data.Click;
import io.insession.data.SessionFiles;
import io.insession.kafka.EmbeddedKafkaBroker;
import io.insession.kafka.Topics;
import io.insession.runtime.RecommenderService;
import io.insession.runtime.ShutdownSignal;
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

  /** The rules the demo's catalogue part serves (unless the settings name others). */
  static final String CATALOG_CHAIN = "content,available,exclude-seen";

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
              producer(service.config(), Topics.from(service.config()))) {
        final InSessionConfig config = service.config();
        final Topics topics = Topics.from(config);
        final ModelInfo model = service.variants().primary().scorer().model();
        if (!service.streams().awaitRunning(Duration.ofSeconds(60))) {
          out.println("Kafka Streams did not reach RUNNING within 60 s; see the log.");
          return 1;
        }
        watcher.start();
        out.printf(
            Locale.ROOT,
            "%nInSession demo ready in %.1f s: Kafka at %s, model %s %s, lookup API on port %d,"
                + " metrics on port %d.%n"
                + "Replaying %d real sessions (%d product views) at %.0f events/s (about %d s)."
                + " Ctrl-C stops.%n"
                + "Try:  curl -s localhost:%d/v1/sessions/%s/recommendations%n%n",
            (System.nanoTime() - start) / 1e9,
            config.bootstrapServers(),
            model.name(),
            model.version(),
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
        final int sent;
        if (showcase != null) {
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
          final int first = replay(producer, topics, clicks.subList(0, half), watcher, signal);
          final CompletableFuture<Void> deployed =
              CompletableFuture.runAsync(
                  () ->
                      rollout.deploy(
                          config, service.variants().primary().name(), watcher.rollout()));
          sent =
              first
                  + replay(producer, topics, clicks.subList(half, clicks.size()), watcher, signal);
          deployed.join();
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
        if (options.exitAfterReplay()) {
          return drained && switched && catalogShown ? 0 : 1;
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
