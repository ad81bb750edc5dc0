package io.insession.registry;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.Optional;

/**
 * How to publish a bundle.
 *
 * @param name the registry name; empty for the bundle's own ({@code name} in metadata.json)
 * @param version the registry version; empty for the bundle's own ({@code version})
 * @param parent the version this one was derived from (retrained or quantised from); it must be
 *     published already. {@code VERSION} alone means a version of the same name.
 * @param publisher who publishes, recorded with the version (see {@link #defaultPublisher()})
 */
public record PublishOptions(
    Optional<String> name, Optional<String> version, Optional<String> parent, String publisher) {

  public PublishOptions {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(parent, "parent");
    Objects.requireNonNull(publisher, "publisher");
    name.ifPresent(n -> ModelRef.checkPart("model name", n));
    version.ifPresent(v -> ModelRef.checkPart("model version", v));
    if (publisher.isBlank()) {
      throw new IllegalArgumentException("publisher must not be blank");
    }
  }

  /** The bundle's own name and version, no parent, the {@link #defaultPublisher()}. */
  public static PublishOptions defaults() {
    return new PublishOptions(
        Optional.empty(), Optional.empty(), Optional.empty(), defaultPublisher());
  }

  /** These options with the registry name set. */
  public PublishOptions withName(final String newName) {
    return new PublishOptions(Optional.of(newName), version, parent, publisher);
  }

  /** These options with the registry version set. */
  public PublishOptions withVersion(final String newVersion) {
    return new PublishOptions(name, Optional.of(newVersion), parent, publisher);
  }

  /** These options with a parent version ({@code VERSION} or {@code NAME:VERSION}). */
  public PublishOptions withParent(final String newParent) {
    return new PublishOptions(name, version, Optional.of(newParent), publisher);
  }

  /** These options with another publisher. */
  public PublishOptions withPublisher(final String newPublisher) {
    return new PublishOptions(name, version, parent, newPublisher);
  }

  /** {@code user@host} of this process, as far as the JVM knows them. */
  public static String defaultPublisher() {
    final String user = System.getProperty("user.name", "unknown");
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (final UnknownHostException e) {
      host = "unknown-host";
    }
    return user + "@" + host;
  }
}
