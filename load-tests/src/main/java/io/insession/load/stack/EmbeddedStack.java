package io.insession.load.stack;

import io.insession.kafka.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The self-contained setup of {@code --embedded}: a single-node KRaft broker inside the generator's
 * JVM, and the app ({@code insession run}, optionally {@code insession lookup}) as child processes
 * against it.
 *
 * <p>Why child processes and not the topology in this JVM: the app then runs exactly as deployed
 * (same jar, same CLI, same settings path), its heap, GC, JIT and threads are not mixed with the
 * generator's (so a JFR recording or {@code jcmd Thread.print} of its pid shows only the app), and
 * the generator's own allocation (HdrHistogram, Avro decoding of every list) cannot pause the
 * topology. The broker stays in this JVM: it is infrastructure, like the producer.
 */
public final class EmbeddedStack implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStack.class);

  private final EmbeddedKafkaBroker broker;
  private final Path workDir;
  private final List<ChildApp> children = new ArrayList<>();

  private EmbeddedStack(final EmbeddedKafkaBroker broker, final Path workDir) {
    this.broker = broker;
    this.workDir = workDir;
  }

  /**
   * Starts the broker on free loopback ports.
   *
   * @param workDir where the app's state directory and the children's logs go
   */
  public static EmbeddedStack startBroker(final Path workDir) throws IOException {
    Files.createDirectories(workDir);
    final EmbeddedKafkaBroker broker =
        EmbeddedKafkaBroker.builder()
            .ports(EmbeddedKafkaBroker.findFreePorts())
            .numPartitions(4)
            .logDir(workDir.resolve("kafka"))
            .start();
    return new EmbeddedStack(broker, workDir);
  }

  /** {@code localhost:<port>}. */
  public String bootstrapServers() {
    return broker.bootstrapServers();
  }

  /**
   * The HTTP settings of the children: a local stack, so no authentication (logged as a warning by
   * each child) and nothing listening beyond this machine.
   */
  private static final List<String> LOCAL_HTTP =
      List.of(
          "-s",
          "insession.api.auth=none",
          "-s",
          "insession.api.bind.address=127.0.0.1",
          "-s",
          "insession.metrics.bind.address=127.0.0.1");

  /**
   * Starts {@code insession run} on this broker.
   *
   * @param appSettings extra {@code -s KEY=VALUE} settings
   */
  public ChildApp startApp(
      final Path appJar,
      final Path bundle,
      final List<String> javaOptions,
      final List<String> appSettings)
      throws IOException {
    return startApp(
        "insession run",
        workDir.resolve("state"),
        workDir.resolve("app-run.log"),
        appJar,
        bundle,
        javaOptions,
        appSettings);
  }

  /**
   * Starts one of several instances of {@code insession run} on this broker (one Streams group when
   * they share an application id).
   *
   * @param name for the log lines
   * @param stateDir its own state directory
   * @param log where its output goes (appended: a restarted instance keeps one log)
   * @param appSettings extra {@code -s KEY=VALUE} settings
   */
  public ChildApp startApp(
      final String name,
      final Path stateDir,
      final Path log,
      final Path appJar,
      final Path bundle,
      final List<String> javaOptions,
      final List<String> appSettings)
      throws IOException {
    final List<String> args = new ArrayList<>();
    args.add("run");
    args.add("--bootstrap-servers");
    args.add(bootstrapServers());
    args.add("--bundle");
    args.add(bundle.toAbsolutePath().toString());
    args.add("-s");
    args.add("state.dir=" + stateDir.toAbsolutePath());
    args.addAll(LOCAL_HTTP);
    for (final String setting : appSettings) {
      args.add("-s");
      args.add(setting);
    }
    return track(ChildApp.start(name, appJar, javaOptions, args, log));
  }

  /** Starts {@code insession lookup} on this broker at {@code port}. */
  public ChildApp startLookup(final Path appJar, final List<String> javaOptions, final int port)
      throws IOException {
    final List<String> args =
        new ArrayList<>(
            List.of("lookup", "--bootstrap-servers", bootstrapServers(), "--port", "" + port));
    args.addAll(LOCAL_HTTP);
    // the load generator is one address: no limit per address, and its metrics on any free port
    args.addAll(
        List.of("-s", "insession.api.rate.per.address=0", "-s", "insession.api.metrics.port=0"));
    return track(
        ChildApp.start(
            "insession lookup", appJar, javaOptions, args, workDir.resolve("app-lookup.log")));
  }

  private ChildApp track(final ChildApp child) {
    children.add(Objects.requireNonNull(child));
    return child;
  }

  /** A loopback port that was free a moment ago. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free local port", e);
    }
  }

  /** The directory of the state, logs and broker data. */
  public Path workDir() {
    return workDir;
  }

  /** Stops the children (last started first), then the broker. */
  @Override
  public void close() {
    for (int i = children.size() - 1; i >= 0; i--) {
      try {
        children.get(i).close();
      } catch (RuntimeException e) {
        LOG.warn("Stopping a child process failed: {}", e.toString());
      }
    }
    broker.close();
  }
}
