package io.insession.deployment;

import io.insession.config.VariantSpec;
import io.insession.registry.ModelRef;
import io.insession.schemas.DeployedVariant;
import io.insession.schemas.DeploymentStatus;
import io.insession.schemas.ModelDeployment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Deployments as data (docs/roll-outs.md): building the records of the deployments topic, their
 * keys, and reading the history they form. A deployment names its variants by source: a registry
 * reference {@code NAME:VERSION}, {@code popular} (the most-viewed items of the deployment's first
 * model), {@code bundle} (the configured bundle) or a bundle directory (anything with a '/').
 */
public final class Deployments {

  private static final String REFUSED = "/refused/";

  private Deployments() {}

  /**
   * Parses {@code NAME=SOURCE:WEIGHT}, e.g. {@code gru=gru4rec-demo:20261127T101500Z:90} or {@code
   * control=popular:10}.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static DeployedVariant parseVariant(final String text) {
    final String entry = text.strip();
    final int equals = entry.indexOf('=');
    final int colon = entry.lastIndexOf(':');
    if (equals <= 0 || colon < equals + 2) {
      throw new IllegalArgumentException(
          "variant '"
              + entry
              + "' must be NAME=SOURCE:WEIGHT, e.g. gru=gru4rec-demo:V1:90 or control=popular:10");
    }
    final String weight = entry.substring(colon + 1).strip();
    final int parsed;
    try {
      parsed = Integer.parseInt(weight);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "variant '" + entry + "': weight '" + weight + "' is not a whole number", e);
    }
    final VariantSpec spec =
        new VariantSpec(
            entry.substring(0, equals).strip(), entry.substring(equals + 1, colon).strip(), parsed);
    final Optional<ModelRef> ref = registryRef(spec.source());
    if (!spec.isPopular() && !spec.isConfiguredBundle() && ref.isEmpty() && !isPath(spec)) {
      throw new IllegalArgumentException(
          "variant '"
              + entry
              + "': source '"
              + spec.source()
              + "' is neither a registry reference NAME:VERSION, 'popular', nor a bundle"
              + " directory");
    }
    return new DeployedVariant(spec.name(), spec.source(), spec.weight());
  }

  /** The registry reference a source names, if it names one (not popular, bundle or a path). */
  public static Optional<ModelRef> registryRef(final String source) {
    final VariantSpec probe = new VariantSpec("probe", source, 0);
    if (probe.isPopular() || probe.isConfiguredBundle() || isPath(probe)) {
      return Optional.empty();
    }
    return source.indexOf(':') > 0 ? Optional.of(ModelRef.parse(source)) : Optional.empty();
  }

  private static boolean isPath(final VariantSpec spec) {
    return spec.source().contains("/") || spec.source().contains("\\");
  }

  /**
   * A new deployment of {@code variants}.
   *
   * @throws IllegalArgumentException when the set is empty, names a variant twice or its weights
   *     add up to 0
   */
  public static ModelDeployment deploy(
      final List<DeployedVariant> variants,
      final String salt,
      final String by,
      final Instant at,
      final String note) {
    specs(variants);
    return ModelDeployment.newBuilder()
        .setDeploymentId(newId(at))
        .setStatus(DeploymentStatus.DEPLOYED)
        .setVariants(List.copyOf(variants))
        .setSalt(salt)
        .setBy(by)
        .setAt(at)
        .setDetail(note)
        .build();
  }

  /**
   * A new deployment of {@code target}'s variants and salt, noted {@code rollback to <id>} and,
   * when given, why: what {@code models rollback} and a canary that rolls back write.
   */
  public static ModelDeployment rollbackTo(
      final ModelDeployment target, final String by, final Instant at, final String why) {
    return deploy(
        target.getVariants(),
        target.getSalt(),
        by,
        at,
        "rollback to " + target.getDeploymentId() + (why == null ? "" : ": " + why));
  }

  /** The refusal of {@code deployment} by {@code instance}, saying why. */
  public static ModelDeployment refusal(
      final ModelDeployment deployment,
      final String instance,
      final Instant at,
      final String reason) {
    return ModelDeployment.newBuilder(deployment)
        .setStatus(DeploymentStatus.REFUSED)
        .setBy(instance)
        .setAt(at)
        .setDetail(reason)
        .build();
  }

  /** The key of a record: the deployment id, or {@code <id>/refused/<instance>} for a refusal. */
  public static String key(final ModelDeployment record) {
    return record.getStatus() == DeploymentStatus.REFUSED
        ? record.getDeploymentId() + REFUSED + record.getBy()
        : record.getDeploymentId();
  }

  /**
   * The variants of a deployment as checked specs.
   *
   * @throws IllegalArgumentException when the set is empty, names a variant twice or its weights
   *     add up to 0
   */
  public static List<VariantSpec> specs(final List<DeployedVariant> variants) {
    final List<String> entries = new ArrayList<>(variants.size());
    for (final DeployedVariant variant : variants) {
      entries.add(variant.getName() + ":" + variant.getSource() + ":" + variant.getWeight());
    }
    return VariantSpec.parseAll(entries);
  }

  /**
   * The deployment to serve, from the records in topic order: the latest deployment that no
   * instance refused.
   */
  public static Optional<ModelDeployment> current(final List<ModelDeployment> records) {
    final List<ModelDeployment> good = good(records);
    return good.isEmpty() ? Optional.empty() : Optional.of(good.get(good.size() - 1));
  }

  /** The good deployment before the current one, the target of a rollback. */
  public static Optional<ModelDeployment> previous(final List<ModelDeployment> records) {
    final List<ModelDeployment> good = good(records);
    return good.size() < 2 ? Optional.empty() : Optional.of(good.get(good.size() - 2));
  }

  /** The deployments (in topic order) that no instance refused. */
  private static List<ModelDeployment> good(final List<ModelDeployment> records) {
    final Set<String> refused = new HashSet<>();
    for (final ModelDeployment record : records) {
      if (record.getStatus() == DeploymentStatus.REFUSED) {
        refused.add(record.getDeploymentId());
      }
    }
    final List<ModelDeployment> good = new ArrayList<>();
    for (final ModelDeployment record : records) {
      if (record.getStatus() == DeploymentStatus.DEPLOYED
          && !refused.contains(record.getDeploymentId())) {
        good.add(record);
      }
    }
    return good;
  }

  /** One line: the variants with their sources and weights, and the salt. */
  public static String describe(final ModelDeployment record) {
    final List<String> parts = new ArrayList<>();
    for (final DeployedVariant variant : record.getVariants()) {
      parts.add(variant.getName() + "=" + variant.getSource() + ":" + variant.getWeight());
    }
    return String.join(" ", parts) + " (salt '" + record.getSalt() + "')";
  }

  private static String newId(final Instant at) {
    return "d-" + at.toEpochMilli() + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
