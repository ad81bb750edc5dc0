package io.insession.scoring;

import java.util.Objects;

/** Name and version of a served model, as written into every recommendation list. */
public record ModelInfo(String name, String version) {
  public ModelInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
  }
}
