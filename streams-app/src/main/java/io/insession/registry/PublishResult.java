package io.insession.registry;

import java.util.Objects;

/**
 * What {@link ModelRegistry#publish} did.
 *
 * @param model the version as the registry holds it
 * @param created true when this call stored it; false when the same content was published already
 *     (publishing is idempotent), in which case {@code model} is the earlier record
 */
public record PublishResult(ModelVersion model, boolean created) {
  public PublishResult {
    Objects.requireNonNull(model, "model");
  }
}
