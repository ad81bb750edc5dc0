package io.insession.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.insession.config.InSessionConfig;
import io.insession.testing.TestModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed versions (docs/model-registry.md): a version published with a signing key is served by a
 * registry that trusts the key; an unsigned version, a version signed by another key, and a record
 * rewritten to match altered files are refused.
 */
class SignedVersionsTest {

  private static final ModelRef TINY = new ModelRef("gru4rec-tiny", "20261123T202252Z");
  private static final KeyPair SHOP = RecordSignatures.generate();
  private static final KeyPair OTHER = RecordSignatures.generate();

  @TempDir Path dir;

  private FileSystemModelRegistry registry(final RegistryKeys keys) {
    return new FileSystemModelRegistry(dir.resolve("registry"), Clock.systemUTC(), keys);
  }

  private static RegistryKeys signedBy(final KeyPair pair) {
    return RegistryKeys.none().withSigning(pair.getPrivate());
  }

  private static RegistryKeys trusting(final KeyPair... pairs) {
    return RegistryKeys.none()
        .withTrusted(List.of(pairs).stream().map(KeyPair::getPublic).toList());
  }

  private ModelVersion publish(final RegistryKeys keys) {
    return registry(keys)
        .publish(TestModels.tinyBundleDir(), PublishOptions.defaults().withPublisher("ci@test"))
        .model();
  }

  @Test
  void shouldServeAVersionSignedByATrustedKey() {
    final ModelVersion model = publish(signedBy(SHOP));

    assertThat(model.location().resolveSibling(FileSystemModelRegistry.SIGNATURE_FILE))
        .exists()
        .content(StandardCharsets.US_ASCII)
        .startsWith("algorithm Ed25519\nsignature ");
    assertThat(registry(trusting(SHOP)).resolve(TINY)).isEqualTo(model.location());
    // a rotation: the file trusts the old key and the new one
    assertThat(registry(trusting(OTHER, SHOP)).resolve(TINY)).isEqualTo(model.location());
    // without trusted keys, only the checksums are checked
    assertThat(registry(RegistryKeys.none()).resolve(TINY)).isEqualTo(model.location());
  }

  @Test
  void shouldRefuseAnUnsignedVersionWhenKeysAreTrusted() {
    publish(RegistryKeys.none());

    final CorruptModelVersionException e =
        assertThrows(
            CorruptModelVersionException.class, () -> registry(trusting(SHOP)).resolve(TINY));

    assertThat(e)
        .hasMessageContaining(TINY.toString())
        .hasMessageContaining("is not signed and is refused")
        .hasMessageContaining(InSessionConfig.REGISTRY_SIGN_KEY);
  }

  @Test
  void shouldRefuseAVersionSignedByAnotherKey() {
    publish(signedBy(OTHER));

    final CorruptModelVersionException e =
        assertThrows(
            CorruptModelVersionException.class, () -> registry(trusting(SHOP)).resolve(TINY));

    assertThat(e)
        .hasMessageContaining(TINY.toString())
        .hasMessageContaining("matches none of the trusted keys")
        .hasMessageContaining(RecordSignatures.keyId(SHOP.getPublic()));
  }

  @Test
  void shouldRefuseAlteredFilesEvenWhenTheRecordWasRewrittenToMatchThem() throws Exception {
    final ModelVersion model = publish(signedBy(SHOP));
    final Path onnx = model.location().resolve("model.onnx");
    final String before = sha256(onnx);
    onnx.toFile().setWritable(true);
    final byte[] bytes = Files.readAllBytes(onnx);
    bytes[1000] = (byte) ~bytes[1000];
    Files.write(onnx, bytes);
    final Path record = model.location().resolveSibling(FileSystemModelRegistry.RECORD_FILE);
    record.toFile().setWritable(true);
    final String text = Files.readString(record, StandardCharsets.UTF_8);
    assertThat(text).contains(before);
    Files.writeString(record, text.replace(before, sha256(onnx)), StandardCharsets.UTF_8);
    // the checksums alone no longer see it
    assertThat(registry(RegistryKeys.none()).resolve(TINY)).isEqualTo(model.location());

    final CorruptModelVersionException e =
        assertThrows(
            CorruptModelVersionException.class, () -> registry(trusting(SHOP)).resolve(TINY));

    assertThat(e).hasMessageContaining("the record was changed after signing");
  }

  @Test
  void shouldReadTheKeysTheSettingsNameAsPemFiles() throws IOException {
    final Path signing = dir.resolve("signing-key.pem");
    final Path verify = dir.resolve("verify-keys.pem");
    Files.writeString(signing, RecordSignatures.privateKeyPem(SHOP.getPrivate()));
    Files.writeString(
        verify,
        RecordSignatures.publicKeyPem(OTHER.getPublic())
            + RecordSignatures.publicKeyPem(SHOP.getPublic()));

    final RegistryKeys keys =
        RegistryKeys.from(
            InSessionConfig.of(
                Map.of(
                    InSessionConfig.REGISTRY_SIGN_KEY, signing.toString(),
                    InSessionConfig.REGISTRY_VERIFY_KEYS, verify.toString())));

    assertThat(keys.signing()).contains(SHOP.getPrivate());
    assertThat(keys.trusted()).containsExactly(OTHER.getPublic(), SHOP.getPublic());
    publish(keys);
    assertThat(registry(keys).resolve(TINY)).exists();
  }

  @Test
  void shouldNameTheFileThatHoldsNoKey() throws IOException {
    final Path notAKey = Files.writeString(dir.resolve("key.pem"), "hello\n");

    final ModelRegistryException signing =
        assertThrows(ModelRegistryException.class, () -> RecordSignatures.readPrivateKey(notAKey));
    final ModelRegistryException verify =
        assertThrows(ModelRegistryException.class, () -> RecordSignatures.readPublicKeys(notAKey));
    final ModelRegistryException missing =
        assertThrows(
            ModelRegistryException.class,
            () -> RecordSignatures.readPublicKeys(dir.resolve("missing.pem")));

    assertThat(signing).hasMessageContaining(notAKey.toString()).hasMessageContaining("keygen");
    assertThat(verify).hasMessageContaining(notAKey.toString());
    assertThat(missing).hasMessageContaining("missing.pem");
  }

  @Test
  void shouldReadKeysThatOpensslMade() throws IOException {
    // a throwaway pair from `openssl genpkey -algorithm ed25519` and `openssl pkey -pubout`
    final Path signing =
        Files.writeString(
            dir.resolve("openssl-key.pem"),
            "-----BEGIN PRIVATE KEY-----\n"
                + "MC4CAQAwBQYDK2VwBCIEINKMNVEb1PpuJxK8Bh4+nbiueLAjO2QtZUfBRnWXU8aK\n"
                + "-----END PRIVATE KEY-----\n");
    final Path verify =
        Files.writeString(
            dir.resolve("openssl-pub.pem"),
            "-----BEGIN PUBLIC KEY-----\n"
                + "MCowBQYDK2VwAyEAHg4Ealtgf03l8blU+YxBxH+MW4Mltj//T1QCLeX9MnI=\n"
                + "-----END PUBLIC KEY-----\n");
    final byte[] record = "a record".getBytes(StandardCharsets.UTF_8);

    final String signature =
        RecordSignatures.sign(record, RecordSignatures.readPrivateKey(signing));

    assertThat(RecordSignatures.verify(record, signature, RecordSignatures.readPublicKeys(verify)))
        .isEqualTo(RecordSignatures.keyId(RecordSignatures.readPublicKeys(verify).get(0)));
  }

  private static String sha256(final Path file) throws IOException, NoSuchAlgorithmException {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
