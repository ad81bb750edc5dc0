package io.insession.registry;

import io.insession.config.InSessionConfig;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The keys a registry signs and checks versions with (docs/model-registry.md, "Signed versions").
 *
 * @param signing the private key publishing signs each new version's record with; empty: versions
 *     are published unsigned
 * @param trusted the public keys a served version must be signed by; empty: signatures are not
 *     checked (checksums always are)
 */
public record RegistryKeys(Optional<PrivateKey> signing, List<PublicKey> trusted) {

  public RegistryKeys {
    Objects.requireNonNull(signing, "signing");
    trusted = List.copyOf(trusted);
  }

  /** No signing, no signature check. */
  public static RegistryKeys none() {
    return new RegistryKeys(Optional.empty(), List.of());
  }

  /**
   * The keys the settings name: {@code insession.registry.sign.key} and {@code
   * insession.registry.verify.keys}, each a file (never the key itself on a command line).
   *
   * @throws ModelRegistryException naming the file when a named file cannot be read
   */
  public static RegistryKeys from(final InSessionConfig config) {
    final String signing = config.getString(InSessionConfig.REGISTRY_SIGN_KEY).strip();
    final String trusted = config.getString(InSessionConfig.REGISTRY_VERIFY_KEYS).strip();
    return new RegistryKeys(
        signing.isEmpty()
            ? Optional.empty()
            : Optional.of(RecordSignatures.readPrivateKey(Path.of(signing))),
        trusted.isEmpty() ? List.of() : RecordSignatures.readPublicKeys(Path.of(trusted)));
  }

  /** These keys with {@code key} as the signing key. */
  public RegistryKeys withSigning(final PrivateKey key) {
    return new RegistryKeys(Optional.of(key), trusted);
  }

  /** These keys with {@code keys} as the trusted keys. */
  public RegistryKeys withTrusted(final List<PublicKey> keys) {
    return new RegistryKeys(signing, keys);
  }
}
