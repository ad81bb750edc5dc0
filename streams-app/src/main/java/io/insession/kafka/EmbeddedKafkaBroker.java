package io.insession.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka (KRaft, combined broker + controller) running inside this JVM, for the
 * one-command demo.
 *
 * <p>It listens on fixed ports chosen by the caller (default broker {@value #DEFAULT_BROKER_PORT},
 * controller {@value #DEFAULT_CONTROLLER_PORT}): the static controller quorum ({@code
 * controller.quorum.voters}) must name the controller port before the server starts, so port 0 is
 * not possible. {@link #findFreePorts()} picks two free ports for tests. Every replication factor
 * and minimum ISR is 1, so consumer groups and transactions (exactly-once) work on one node.
 *
 * <p>Without an explicit log directory a temporary one is used and deleted on {@link #close()}; a
 * directory given by the caller is kept, so a demo can be restarted with its data. {@code close()}
 * is idempotent.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

  /** Broker (client) port used when none is set. */
  public static final int DEFAULT_BROKER_PORT = 9092;

  /** Controller (KRaft quorum) port used when none is set. */
  public static final int DEFAULT_CONTROLLER_PORT = 9093;

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
  private static final int NODE_ID = 1;
  private static final String HOST = "localhost";

  private final KafkaRaftServer server;
  private final Ports ports;
  private final Path logDir;
  private final boolean deleteLogDirOnClose;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedKafkaBroker(
      final KafkaRaftServer server,
      final Ports ports,
      final Path logDir,
      final boolean deleteLogDirOnClose) {
    this.server = server;
    this.ports = ports;
    this.logDir = logDir;
    this.deleteLogDirOnClose = deleteLogDirOnClose;
  }

  /** A builder with the defaults: ports 9092/9093, a temporary log dir, 1 partition per topic. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Two distinct ports that were free a moment ago (bound together, then released). Another process
   * may still take them before the broker binds them; good enough for tests and demos.
   */
  public static Ports findFreePorts() {
    try (ServerSocket first = new ServerSocket();
        ServerSocket second = new ServerSocket()) {
      final InetAddress loopback = InetAddress.getLoopbackAddress();
      first.setReuseAddress(true);
      second.setReuseAddress(true);
      first.bind(new InetSocketAddress(loopback, 0));
      second.bind(new InetSocketAddress(loopback, 0));
      return new Ports(first.getLocalPort(), second.getLocalPort());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot find two free local ports", e);
    }
  }

  /** {@code localhost:<broker port>}, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return HOST + ":" + ports.broker();
  }

  /** The ports this broker listens on. */
  public Ports ports() {
    return ports;
  }

  /** The data (and metadata) log directory. */
  public Path logDir() {
    return logDir;
  }

  /**
   * Shuts the server down, waits for it and deletes the log directory if it was a temporary one.
   * Calling it again does nothing.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    final long start = System.nanoTime();
    try {
      server.shutdown();
      server.awaitShutdown();
    } finally {
      if (deleteLogDirOnClose) {
        deleteQuietly(logDir);
      }
    }
    LOG.info(
        "Embedded Kafka broker on {} stopped in {} ms",
        bootstrapServers(),
        (System.nanoTime() - start) / 1_000_000);
  }

  private static void deleteQuietly(final Path dir) {
    try {
      Utils.delete(dir.toFile());
    } catch (IOException e) {
      LOG.warn("Cannot delete the embedded broker's log dir {}: {}", dir, e.toString());
    }
  }

  /**
   * The two ports of the embedded node.
   *
   * @param broker the client (PLAINTEXT) listener port
   * @param controller the KRaft controller listener port
   */
  public record Ports(int broker, int controller) {
    /** Checks both ports are in 1..65535 and distinct. */
    public Ports {
      checkPort(broker, "broker");
      checkPort(controller, "controller");
      if (broker == controller) {
        throw new IllegalArgumentException("broker and controller ports must differ: " + broker);
      }
    }

    private static void checkPort(final int port, final String what) {
      if (port < 1 || port > 65_535) {
        throw new IllegalArgumentException(
            what + " port must be in 1..65535 (0 is not possible with a static quorum): " + port);
      }
    }
  }

  /** Settings of an {@link EmbeddedKafkaBroker}; {@link #start()} formats and starts it. */
  public static final class Builder {
    private int brokerPort = DEFAULT_BROKER_PORT;
    private int controllerPort = DEFAULT_CONTROLLER_PORT;
    private Path logDir;
    private int numPartitions = 1;
    private final Map<String, String> overrides = new LinkedHashMap<>();

    private Builder() {}

    /** The client listener port (default 9092). */
    public Builder brokerPort(final int port) {
      this.brokerPort = port;
      return this;
    }

    /** The controller listener port (default 9093). */
    public Builder controllerPort(final int port) {
      this.controllerPort = port;
      return this;
    }

    /** Both ports at once, e.g. from {@link EmbeddedKafkaBroker#findFreePorts()}. */
    public Builder ports(final Ports ports) {
      this.brokerPort = ports.broker();
      this.controllerPort = ports.controller();
      return this;
    }

    /** A log directory to use and keep; without one a temporary directory is used and deleted. */
    public Builder logDir(final Path dir) {
      this.logDir = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /** Default partition count of auto-created topics ({@code num.partitions}, default 1). */
    public Builder numPartitions(final int partitions) {
      if (partitions < 1) {
        throw new IllegalArgumentException("numPartitions must be >= 1: " + partitions);
      }
      this.numPartitions = partitions;
      return this;
    }

    /** Any other broker setting; it wins over the defaults of this class. */
    public Builder property(final String key, final String value) {
      overrides.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Formats the log directory (if not formatted yet) and starts the server; returns once it
     * accepts clients.
     *
     * @throws IllegalStateException if formatting or start-up fails
     * @throws UncheckedIOException if the directories cannot be created
     */
    public EmbeddedKafkaBroker start() {
      final Ports ports = new Ports(brokerPort, controllerPort);
      final boolean temporary = logDir == null;
      final Path dir;
      try {
        dir = temporary ? Files.createTempDirectory("insession-kafka-") : logDir;
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot create the embedded broker's log dir", e);
      }
      try {
        final Properties props = serverProperties(ports, dir);
        BrokerLogFile.attach()
            .ifPresent(log -> LOG.info("The embedded broker logs to {}, not to the console", log));
        final long formatStart = System.nanoTime();
        format(props, dir);
        final long startupStart = System.nanoTime();
        final KafkaRaftServer server =
            new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        try {
          server.startup();
        } catch (RuntimeException e) {
          final IllegalStateException failure =
              new IllegalStateException(
                  "Embedded Kafka broker did not start on ports " + ports + ": " + e.getMessage(),
                  e);
          try {
            server.shutdown();
            server.awaitShutdown();
          } catch (RuntimeException shutdownError) {
            failure.addSuppressed(shutdownError);
          }
          throw failure;
        }
        final long end = System.nanoTime();
        LOG.info(
            "Embedded Kafka broker started on {} (controller port {}, log dir {}): "
                + "format {} ms, startup {} ms",
            HOST + ":" + ports.broker(),
            ports.controller(),
            dir,
            (startupStart - formatStart) / 1_000_000,
            (end - startupStart) / 1_000_000);
        return new EmbeddedKafkaBroker(server, ports, dir, temporary);
      } catch (RuntimeException e) {
        if (temporary) {
          deleteQuietly(dir);
        }
        throw e;
      }
    }

    private Properties serverProperties(final Ports ports, final Path dir) {
      final Map<String, String> p = new LinkedHashMap<>();
      p.put("process.roles", "broker,controller");
      p.put("node.id", Integer.toString(NODE_ID));
      p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + ports.controller());
      p.put(
          "listeners",
          "PLAINTEXT://"
              + HOST
              + ":"
              + ports.broker()
              + ",CONTROLLER://"
              + HOST
              + ":"
              + ports.controller());
      p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + ports.broker());
      p.put("controller.listener.names", "CONTROLLER");
      p.put("inter.broker.listener.name", "PLAINTEXT");
      p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
      p.put("log.dirs", dir.toAbsolutePath().toString());
      p.put("num.partitions", Integer.toString(numPartitions));
      // one node: every internal topic with replication factor 1 and min ISR 1
      p.put("offsets.topic.replication.factor", "1");
      p.put("offsets.topic.num.partitions", "1");
      p.put("transaction.state.log.replication.factor", "1");
      p.put("transaction.state.log.min.isr", "1");
      p.put("transaction.state.log.num.partitions", "1");
      p.put("share.coordinator.state.topic.replication.factor", "1");
      p.put("share.coordinator.state.topic.min.isr", "1");
      p.put("share.coordinator.state.topic.num.partitions", "1");
      p.put("default.replication.factor", "1");
      p.put("min.insync.replicas", "1");
      p.put("group.initial.rebalance.delay.ms", "0");
      p.putAll(overrides);
      final Properties props = new Properties();
      props.putAll(p);
      return props;
    }

    private static void format(final Properties props, final Path dir) {
      // StorageTool reads its settings from a file; keep it out of the log dir
      final Path configFile;
      try {
        configFile = Files.createTempFile("insession-kafka-format-", ".properties");
        try (OutputStream out = Files.newOutputStream(configFile)) {
          props.store(out, "written by EmbeddedKafkaBroker for kafka-storage format");
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot write the storage format settings", e);
      }
      final ByteArrayOutputStream captured = new ByteArrayOutputStream();
      final int rc;
      try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
        rc =
            StorageTool.execute(
                new String[] {
                  "format",
                  "-t",
                  Uuid.randomUuid().toString(),
                  "-c",
                  configFile.toString(),
                  "--ignore-formatted"
                },
                out);
      } finally {
        deleteQuietly(configFile);
      }
      final String output = captured.toString(StandardCharsets.UTF_8).strip();
      if (rc != 0) {
        throw new IllegalStateException(
            "Formatting the embedded broker's log dir " + dir + " failed (" + rc + "): " + output);
      }
      LOG.debug("kafka-storage format: {}", output);
    }
  }
}
