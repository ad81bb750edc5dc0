package io.insession.kafka;

import io.insession.config.InSessionConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates topics idempotently through {@link Admin}: topics that exist already are left as they are
 * (a differing partition count is logged as a warning, never changed). It lists the topics first
 * and creates only the missing ones, so a principal without {@code CREATE} passes when an operator
 * made them all; a missing topic that cannot be created fails with its name, the reason and the
 * topic's {@link TopicSpec#ifMissing() note} (e.g. the setting that runs without it).
 *
 * <p>A topic that exists with other topic-level settings than its {@link TopicSpec} asks for (say a
 * recommendations topic created before it was compacted) is not altered either: InSession's
 * principal needs no {@code AlterConfigs} right, and turning on compaction or a retention deletes
 * data, which is an operator's decision. Each such topic is logged as a warning with the {@code
 * kafka-configs.sh} command that brings it in line ({@link #alterCommand}).
 */
public final class TopicSetup {

  /** How long a cluster may stay silent before {@link SecurityProbe} looks at its listener. */
  public static final Duration PROBE_AFTER = Duration.ofSeconds(1);

  private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);

  private TopicSetup() {}

  /**
   * Creates every topic of {@code topics} that does not exist yet on the cluster of {@code config},
   * after checking that the cluster answers within {@value
   * InSessionConfig#KAFKA_CONNECT_TIMEOUT_MS}.
   *
   * @param config the bootstrap servers, client settings and connect timeout
   * @param topics the topics to have
   * @param timeout how long to wait for the topics once the cluster answered
   * @return the names of the topics this call created, in the order given
   * @throws KafkaException if the cluster cannot be reached (the message names the bootstrap
   *     servers) or a topic cannot be created
   */
  public static List<String> ensureTopics(
      final InSessionConfig config, final Collection<TopicSpec> topics, final Duration timeout) {
    try (Admin admin = reachableAdmin(config)) {
      return ensureTopics(admin, config.bootstrapServers(), topics, timeout);
    }
  }

  /**
   * Waits until the cluster of {@code config} answers, within {@link
   * InSessionConfig#KAFKA_CONNECT_TIMEOUT_MS}, as {@link #ensureTopics(InSessionConfig, Collection,
   * Duration)} does: for a command that creates no topics (the lookup API).
   *
   * @throws KafkaException naming the bootstrap servers, or the security settings that are likely
   *     missing (see {@link #awaitReachable(Admin, Map, String, Duration)})
   */
  public static void awaitReachable(final InSessionConfig config) {
    reachableAdmin(config).close();
  }

  /** An admin client for {@code config} whose cluster has answered (the caller closes it). */
  private static Admin reachableAdmin(final InSessionConfig config) {
    final Duration connectTimeout =
        Duration.ofMillis(config.getLong(InSessionConfig.KAFKA_CONNECT_TIMEOUT_MS));
    final Admin admin;
    try {
      admin = Admin.create(config.clientProperties());
    } catch (KafkaException e) {
      // e.g. SASL without sasl.jaas.config: the client cannot even be made
      throw withHint(
          unreachable(config.bootstrapServers(), connectTimeout, e), config.clientProperties());
    }
    try {
      awaitReachable(admin, config.clientProperties(), config.bootstrapServers(), connectTimeout);
      return admin;
    } catch (RuntimeException e) {
      admin.close();
      throw e;
    }
  }

  /**
   * Waits until the cluster behind {@code admin} answers. When it has not answered after {@link
   * #PROBE_AFTER}, {@link SecurityProbe} asks the first bootstrap server what it speaks; if the
   * client's security settings do not fit, this fails at once with a message naming the settings
   * that are likely missing, instead of waiting out {@code timeout}.
   *
   * @param clientProperties the settings {@code admin} was made with (for the probe)
   * @throws KafkaException naming {@code bootstrapServers} if it does not answer within {@code
   *     timeout}, or naming the missing security settings
   */
  public static void awaitReachable(
      final Admin admin,
      final Map<String, ?> clientProperties,
      final String bootstrapServers,
      final Duration timeout) {
    final DescribeClusterOptions options =
        new DescribeClusterOptions().timeoutMs(Math.toIntExact(timeout.toMillis()));
    final KafkaFuture<Collection<Node>> nodes = admin.describeCluster(options).nodes();
    try {
      try {
        nodes.get(Math.min(PROBE_AFTER.toNanos(), timeout.toNanos()), TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        // no answer yet: a listener that wants TLS or SASL disconnects a client without them
        // and the client retries until its timeout; ask the listener what it speaks
        final Optional<String> hint = SecurityProbe.hint(clientProperties);
        if (hint.isPresent()) {
          nodes.cancel(true);
          throw new KafkaException(
              "Cannot talk to Kafka at " + bootstrapServers + ": " + hint.get());
        }
      }
      LOG.debug("Kafka at {} answered ({} nodes)", bootstrapServers, nodes.get().size());
    } catch (ExecutionException e) {
      // a TLS client without a certificate, say, fails at once: say which setting is missing
      throw withHint(unreachable(bootstrapServers, timeout, e.getCause()), clientProperties);
    } catch (InterruptedException e) {
      throw new InterruptException(e);
    }
  }

  /** {@code failure}, with what {@link SecurityProbe} finds missing added to its message. */
  private static KafkaException withHint(
      final KafkaException failure, final Map<String, ?> clientProperties) {
    return SecurityProbe.hint(clientProperties)
        .map(hint -> new KafkaException(failure.getMessage() + "; " + hint, failure.getCause()))
        .orElse(failure);
  }

  private static KafkaException unreachable(
      final String bootstrapServers, final Duration timeout, final Throwable cause) {
    return new KafkaException(
        "Cannot reach Kafka at "
            + bootstrapServers
            + " within "
            + timeout.toMillis()
            + " ms ("
            + InSessionConfig.KAFKA_CONNECT_TIMEOUT_MS
            + "): is the broker running, and are bootstrap.servers and the security settings"
            + " right? Cause: "
            + cause,
        cause);
  }

  /**
   * Creates every topic of {@code topics} that does not exist yet.
   *
   * @param admin a connected admin client (not closed here)
   * @param topics the topics to have
   * @param timeout how long to wait for the broker, in total
   * @return the names of the topics this call created, in the order given
   * @throws KafkaException if a topic cannot be created for any reason but "exists already"
   * @throws TimeoutException if the broker does not answer within {@code timeout}
   * @throws InterruptException if the calling thread is interrupted (its flag stays set)
   */
  public static List<String> ensureTopics(
      final Admin admin, final Collection<TopicSpec> topics, final Duration timeout) {
    return ensureTopics(admin, "<bootstrap servers>", topics, timeout);
  }

  /**
   * Creates every topic of {@code topics} that does not exist yet; names {@code bootstrapServers}
   * in the command a warning about an existing topic's settings gives.
   *
   * @see #ensureTopics(Admin, Collection, Duration)
   */
  public static List<String> ensureTopics(
      final Admin admin,
      final String bootstrapServers,
      final Collection<TopicSpec> topics,
      final Duration timeout) {
    if (topics.isEmpty()) {
      return List.of();
    }
    final long deadline = System.nanoTime() + timeout.toNanos();
    // only the missing topics are created: a principal without CREATE (an operator made the
    // topics) starts, and a missing one it may not create is named with its note
    final Set<String> present = existingNames(admin, deadline, timeout);
    final List<TopicSpec> existing = new ArrayList<>();
    final List<TopicSpec> missing = new ArrayList<>();
    for (final TopicSpec spec : topics) {
      (present.contains(spec.name()) ? existing : missing).add(spec);
    }
    final List<String> created = create(admin, missing, deadline, timeout, existing);
    if (!existing.isEmpty()) {
      checkExisting(admin, existing, deadline);
      warnAboutConfigDrift(admin, bootstrapServers, existing, deadline);
    }
    return List.copyOf(created);
  }

  /**
   * Creates {@code missing}; a topic that turns out to exist (made in the meantime) is added to
   * {@code existing}.
   */
  private static List<String> create(
      final Admin admin,
      final List<TopicSpec> missing,
      final long deadline,
      final Duration timeout,
      final List<TopicSpec> existing) {
    if (missing.isEmpty()) {
      return List.of();
    }
    final List<NewTopic> newTopics = new ArrayList<>();
    for (final TopicSpec spec : missing) {
      final Optional<Short> replication =
          spec.replicationFactor() == TopicSpec.BROKER_DEFAULT
              ? Optional.empty()
              : Optional.of(spec.replicationFactor());
      newTopics.add(
          new NewTopic(spec.name(), Optional.of(spec.partitions()), replication)
              .configs(spec.configs()));
    }
    final CreateTopicsResult result = admin.createTopics(newTopics);
    final List<String> created = new ArrayList<>();
    for (final TopicSpec spec : missing) {
      try {
        result.values().get(spec.name()).get(remainingNanos(deadline), TimeUnit.NANOSECONDS);
        created.add(spec.name());
        LOG.info(
            "Created topic {} ({} partitions, replication factor {}, configs {})",
            spec.name(),
            spec.partitions(),
            spec.replicationFactor() == TopicSpec.BROKER_DEFAULT
                ? "broker default"
                : spec.replicationFactor(),
            spec.configs());
      } catch (ExecutionException e) {
        if (e.getCause() instanceof TopicExistsException) {
          existing.add(spec);
        } else if (e.getCause() instanceof AuthorizationException) {
          throw new KafkaException(
              "Cannot create topic "
                  + spec.name()
                  + ": the principal is not allowed to ("
                  + e.getCause()
                  + "). It needs DESCRIBE on the topic, and CREATE unless an operator creates"
                  + " it first; docs/security-kafka.md lists the ACLs each InSession principal"
                  + " needs"
                  + note(spec),
              e.getCause());
        } else {
          throw new KafkaException(
              "Cannot create topic " + spec.name() + ": " + e.getCause() + note(spec),
              e.getCause());
        }
      } catch (java.util.concurrent.TimeoutException e) {
        throw new TimeoutException("Creating topic " + spec.name() + " timed out after " + timeout);
      } catch (InterruptedException e) {
        throw new InterruptException(e);
      }
    }
    return created;
  }

  /**
   * Fails when a topic of {@code topics} does not exist, naming it with its {@link
   * TopicSpec#ifMissing() note}: for a part that reads a topic it does not create (a global store,
   * whose missing topic would stop Kafka Streams with a less helpful error).
   *
   * @throws KafkaException naming the first missing topic, or if the topics cannot be listed
   * @throws TimeoutException if the broker does not answer within {@code timeout}
   * @throws InterruptException if the calling thread is interrupted (its flag stays set)
   */
  public static void requireTopics(
      final Admin admin, final Collection<TopicSpec> topics, final Duration timeout) {
    if (topics.isEmpty()) {
      return;
    }
    final Set<String> present =
        existingNames(admin, System.nanoTime() + timeout.toNanos(), timeout);
    for (final TopicSpec spec : topics) {
      if (!present.contains(spec.name())) {
        throw new KafkaException(
            "Topic "
                + spec.name()
                + " does not exist: `insession run` creates it (docs/security-kafka.md lists the"
                + " ACLs), or an operator creates it with "
                + spec.partitions()
                + (spec.partitions() == 1 ? " partition" : " partitions")
                + (spec.configs().isEmpty() ? "" : " and " + new TreeMap<>(spec.configs()))
                + note(spec));
      }
    }
  }

  /** The names of the topics the principal may see (DESCRIBE), internal ones left out. */
  private static Set<String> existingNames(
      final Admin admin, final long deadline, final Duration timeout) {
    try {
      return admin.listTopics().names().get(remainingNanos(deadline), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw new KafkaException("Cannot list topics: " + e.getCause(), e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new TimeoutException("Listing topics timed out after " + timeout);
    } catch (InterruptedException e) {
      throw new InterruptException(e);
    }
  }

  private static String note(final TopicSpec spec) {
    return spec.ifMissing().isEmpty() ? "" : ". " + spec.ifMissing();
  }

  /**
   * The partition count of {@code topic}.
   *
   * @throws KafkaException if the topic does not exist or cannot be described
   * @throws TimeoutException if the broker does not answer within {@code timeout}
   * @throws InterruptException if the calling thread is interrupted (its flag stays set)
   */
  public static int partitionCount(final Admin admin, final String topic, final Duration timeout) {
    try {
      return admin
          .describeTopics(List.of(topic))
          .allTopicNames()
          .get(timeout.toNanos(), TimeUnit.NANOSECONDS)
          .get(topic)
          .partitions()
          .size();
    } catch (ExecutionException e) {
      throw new KafkaException(
          "Cannot describe topic " + topic + ": " + e.getCause(), e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new TimeoutException("Describing topic " + topic + " timed out after " + timeout);
    } catch (InterruptedException e) {
      throw new InterruptException(e);
    }
  }

  private static void checkExisting(
      final Admin admin, final List<TopicSpec> existing, final long deadline) {
    final Map<String, TopicDescription> descriptions;
    try {
      descriptions =
          admin
              .describeTopics(existing.stream().map(TopicSpec::name).toList())
              .allTopicNames()
              .get(remainingNanos(deadline), TimeUnit.NANOSECONDS);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      // the topics exist; a failed sanity check is no reason to stop
      LOG.warn("Topics {} exist already; cannot describe them: {}", names(existing), e.toString());
      return;
    } catch (InterruptedException e) {
      throw new InterruptException(e);
    }
    for (final TopicSpec spec : existing) {
      final TopicDescription description = descriptions.get(spec.name());
      final int actual = description == null ? -1 : description.partitions().size();
      if (actual != spec.partitions()) {
        LOG.warn(
            "Topic {} exists with {} partitions, not the {} configured; left unchanged",
            spec.name(),
            actual,
            spec.partitions());
      } else {
        LOG.info("Topic {} exists already ({} partitions)", spec.name(), actual);
      }
    }
  }

  private static void warnAboutConfigDrift(
      final Admin admin,
      final String bootstrapServers,
      final List<TopicSpec> existing,
      final long deadline) {
    final Map<String, Map<String, String>> drift;
    try {
      drift = configDrift(admin, existing, Duration.ofNanos(remainingNanos(deadline)));
    } catch (KafkaException e) {
      LOG.warn("Cannot read the settings of topics {}: {}", names(existing), e.toString());
      return;
    }
    drift.forEach(
        (topic, wanted) ->
            LOG.warn(
                "Topic {} exists with other settings than InSession creates it with (wanted {});"
                    + " left unchanged. To apply them: {}",
                topic,
                wanted,
                alterCommand(bootstrapServers, topic, wanted)));
  }

  /**
   * The topic-level settings of {@code specs} that their existing topics do not have: per topic
   * name, each wanted key with its wanted value (list values such as {@code cleanup.policy} compare
   * as sets). Topics without wanted settings, or with all of them, are left out.
   *
   * @throws KafkaException if the settings cannot be described (a topic is missing, say)
   * @throws TimeoutException if the broker does not answer within {@code timeout}
   * @throws InterruptException if the calling thread is interrupted (its flag stays set)
   */
  public static Map<String, Map<String, String>> configDrift(
      final Admin admin, final Collection<TopicSpec> specs, final Duration timeout) {
    final List<TopicSpec> withConfigs = specs.stream().filter(s -> !s.configs().isEmpty()).toList();
    if (withConfigs.isEmpty()) {
      return Map.of();
    }
    final Map<ConfigResource, Config> actual;
    try {
      actual =
          admin
              .describeConfigs(
                  withConfigs.stream()
                      .map(s -> new ConfigResource(ConfigResource.Type.TOPIC, s.name()))
                      .toList())
              .all()
              .get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw new KafkaException("Cannot describe topic settings: " + e.getCause(), e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new TimeoutException("Describing topic settings timed out after " + timeout);
    } catch (InterruptedException e) {
      throw new InterruptException(e);
    }
    final Map<String, Map<String, String>> drift = new TreeMap<>();
    for (final TopicSpec spec : withConfigs) {
      final Config config = actual.get(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()));
      final Map<String, String> wanted = new TreeMap<>();
      spec.configs()
          .forEach(
              (key, value) -> {
                final ConfigEntry entry = config == null ? null : config.get(key);
                if (entry == null || !sameSetting(entry.value(), value)) {
                  wanted.put(key, value);
                }
              });
      if (!wanted.isEmpty()) {
        drift.put(spec.name(), wanted);
      }
    }
    return drift;
  }

  private static boolean sameSetting(final String actual, final String wanted) {
    return actual != null && listItems(actual).equals(listItems(wanted));
  }

  private static Set<String> listItems(final String value) {
    final Set<String> items = new TreeSet<>();
    for (final String item : value.split(",", -1)) {
      items.add(item.trim());
    }
    return items;
  }

  /**
   * The {@code kafka-configs.sh} command that gives {@code topic} the {@code settings} (list values
   * in the brackets the tool wants, e.g. {@code cleanup.policy=[compact,delete]}).
   */
  public static String alterCommand(
      final String bootstrapServers, final String topic, final Map<String, String> settings) {
    final StringBuilder values = new StringBuilder();
    new TreeMap<>(settings)
        .forEach(
            (key, value) -> {
              if (values.length() > 0) {
                values.append(',');
              }
              values
                  .append(key)
                  .append('=')
                  .append(value.contains(",") ? "[" + value + "]" : value);
            });
    return "kafka-configs.sh --bootstrap-server "
        + bootstrapServers
        + " --alter --entity-type topics --entity-name "
        + topic
        + " --add-config '"
        + values
        + "'";
  }

  private static List<String> names(final List<TopicSpec> specs) {
    return specs.stream().map(TopicSpec::name).toList();
  }

  private static long remainingNanos(final long deadline) {
    return Math.max(0L, deadline - System.nanoTime());
  }
}
