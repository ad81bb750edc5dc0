package io.insession.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a topic should look like when {@link TopicSetup} creates it.
 *
 * @param name the topic name
 * @param partitions the partition count, at least 1
 * @param replicationFactor the replication factor, at least 1, or {@link #BROKER_DEFAULT} to use
 *     the broker's {@code default.replication.factor}
 * @param configs topic-level settings such as {@code cleanup.policy=compact}; copied
 * @param ifMissing what an error adds when the topic is missing and cannot be created, e.g. the
 *     setting that runs without it (empty: nothing)
 */
public record TopicSpec(
    String name,
    int partitions,
    short replicationFactor,
    Map<String, String> configs,
    String ifMissing) {

  /** Replication factor meaning "whatever the broker's default is". */
  public static final short BROKER_DEFAULT = -1;

  /** Validates and copies the arguments. */
  public TopicSpec {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("topic name must not be blank");
    }
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions of " + name + " must be >= 1: " + partitions);
    }
    if (replicationFactor < 1 && replicationFactor != BROKER_DEFAULT) {
      throw new IllegalArgumentException(
          "replication factor of " + name + " must be >= 1 or -1: " + replicationFactor);
    }
    configs = Map.copyOf(Objects.requireNonNull(configs, "configs"));
    Objects.requireNonNull(ifMissing, "ifMissing");
  }

  /** A topic without a note for when it is missing. */
  public TopicSpec(
      final String name,
      final int partitions,
      final short replicationFactor,
      final Map<String, String> configs) {
    this(name, partitions, replicationFactor, configs, "");
  }

  /** A topic with the broker's default replication factor and no topic-level settings. */
  public static TopicSpec of(final String name, final int partitions) {
    return new TopicSpec(name, partitions, BROKER_DEFAULT, Map.of());
  }

  /** A log-compacted topic ({@code cleanup.policy=compact}), e.g. for a catalog. */
  public static TopicSpec compacted(
      final String name, final int partitions, final short replicationFactor) {
    return new TopicSpec(name, partitions, replicationFactor, Map.of("cleanup.policy", "compact"));
  }

  /** The same topic with another replication factor. */
  public TopicSpec withReplicationFactor(final short factor) {
    return new TopicSpec(name, partitions, factor, configs, ifMissing);
  }

  /** The same topic with one more topic-level setting. */
  public TopicSpec withConfig(final String key, final String value) {
    final Map<String, String> copy = new HashMap<>(configs);
    copy.put(key, value);
    return new TopicSpec(name, partitions, replicationFactor, copy, ifMissing);
  }

  /**
   * The same topic with a note that an error adds when the topic is missing and cannot be created
   * (e.g. "set insession.trending.enabled=false to run without live trending").
   */
  public TopicSpec withIfMissing(final String note) {
    return new TopicSpec(name, partitions, replicationFactor, configs, note);
  }
}
