package io.insession.cli;

import io.insession.config.InSessionConfig;
import io.insession.kafka.Topic;
import io.insession.kafka.TopicSetup;
import io.insession.kafka.Topics;
import io.insession.schemas.WeblogEvent;
import io.insession.session.EventLimits;
import io.insession.session.ForgetRequests;
import io.insession.session.WeblogEventChecks;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code insession sessions forget ID...}: writes the {@code FORGET_SESSION} control record of each
 * session to the weblog topic ({@link ForgetRequests}) and returns once Kafka acknowledged them.
 * The stream then deletes the session's state (store and changelog) and tombstones its lists, and
 * every lookup API drops its cached list when the tombstone arrives.
 */
@Command(
    name = "forget",
    mixinStandardHelpOptions = true,
    description = {
      "Forget sessions: the stream deletes each one's state (RocksDB store and changelog)",
      "and writes a tombstone for its lists on the recommendations topic, in order with",
      "the session's events. Idempotent: an unknown session is forgotten all the same.",
      "The weblog and dead-letter topics keep the visitor's events until their retention",
      "(docs/privacy.md)."
    })
final class SessionsForgetCommand implements Callable<Integer> {

  /** How long to wait for Kafka to acknowledge, in all. */
  static final Duration ACK_TIMEOUT = Duration.ofSeconds(30);

  @Spec CommandSpec spec;

  @Mixin ConfigOptions options;

  @Parameters(paramLabel = "SESSION_ID", arity = "1..*", description = "The sessions to forget.")
  List<String> sessionIds = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    final InSessionConfig config = options.load(Map.of());
    final EventLimits limits = EventLimits.from(config);
    final Instant now = Instant.now();
    final List<WeblogEvent> requests = new ArrayList<>();
    for (final String sessionId : sessionIds) {
      final WeblogEvent request = ForgetRequests.of(sessionId, UUID.randomUUID().toString(), now);
      final Optional<WeblogEventChecks.Violation> bad =
          WeblogEventChecks.checkIds(request).or(() -> WeblogEventChecks.check(request, limits));
      if (bad.isPresent()) {
        throw new ParameterException(
            spec.commandLine(), "cannot forget session '" + sessionId + "': " + bad.get().detail());
      }
      requests.add(request);
    }
    final PrintWriter out = spec.commandLine().getOut();
    final PrintWriter err = spec.commandLine().getErr();
    final Topic<String, WeblogEvent> weblog = Topics.from(config).weblog();
    try {
      write(config, weblog, requests);
    } catch (KafkaException | ExecutionException | TimeoutException e) {
      err.println(
          spec.qualifiedName()
              + ": Kafka did not acknowledge the forget requests on topic "
              + weblog.name()
              + " (retry; forgetting twice is harmless): "
              + (e instanceof ExecutionException ? e.getCause() : e));
      err.flush();
      return SessionsCommand.EXIT_KAFKA;
    }
    for (final WeblogEvent request : requests) {
      out.println(
          "Forgetting session "
              + request.getSessionId()
              + " (control record "
              + request.getEventId()
              + " on "
              + weblog.name()
              + "): the stream deletes its state and tombstones its lists");
    }
    out.flush();
    return 0;
  }

  private static void write(
      final InSessionConfig config,
      final Topic<String, WeblogEvent> weblog,
      final List<WeblogEvent> requests)
      throws ExecutionException, TimeoutException, InterruptedException {
    try (Admin admin = Admin.create(config.clientProperties())) {
      TopicSetup.awaitReachable(
          admin,
          config.clientProperties(),
          config.bootstrapServers(),
          Duration.ofMillis(config.getLong(InSessionConfig.KAFKA_CONNECT_TIMEOUT_MS)));
    }
    final Map<String, Object> props = new HashMap<>(config.clientProperties());
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
    props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(ACK_TIMEOUT.toMillis()));
    final long deadline = System.nanoTime() + ACK_TIMEOUT.toNanos();
    try (KafkaProducer<String, WeblogEvent> producer =
        new KafkaProducer<>(
            props, weblog.keySerde().serializer(), weblog.valueSerde().serializer())) {
      final List<Future<?>> acks = new ArrayList<>();
      for (final WeblogEvent request : requests) {
        acks.add(
            producer.send(
                new ProducerRecord<>(
                    weblog.name(),
                    null,
                    request.getEventTime().toEpochMilli(),
                    request.getSessionId(),
                    request)));
      }
      for (final Future<?> ack : acks) {
        ack.get(Math.max(0L, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    }
  }
}
