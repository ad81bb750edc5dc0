package io.insession.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ed25519 signatures of registry records (docs/model-registry.md, "Signed versions"). A version's
 * {@code record.json} names every stored file with its size and SHA-256, so a signature over the
 * record's bytes binds the whole bundle: serving re-checks the files against the record, and the
 * record against the signature. Keys are PEM files as OpenSSL writes them ({@code PRIVATE KEY}:
 * PKCS#8, {@code PUBLIC KEY}: X.509 SubjectPublicKeyInfo), so {@code openssl genpkey -algorithm
 * ed25519} keys work as well as {@code insession models keygen}'s. Java's own Ed25519 provider, no
 * extra library.
 */
public final class RecordSignatures {

  /** The one algorithm: Ed25519 (RFC 8032), deterministic, 64-byte signatures. */
  public static final String ALGORITHM = "Ed25519";

  private static final Pattern PEM =
      Pattern.compile(
          "-----BEGIN ([A-Z ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----",
          Pattern.MULTILINE);
  private static final String PRIVATE = "PRIVATE KEY";
  private static final String PUBLIC = "PUBLIC KEY";
  private static final int KEY_ID_BYTES = 8;

  private RecordSignatures() {}

  /** A new Ed25519 key pair. */
  public static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM has no " + ALGORITHM + " provider", e);
    }
  }

  /** The private key as PEM ({@code PRIVATE KEY}, PKCS#8). */
  public static String privateKeyPem(final PrivateKey key) {
    return pem(PRIVATE, key.getEncoded());
  }

  /** The public key as PEM ({@code PUBLIC KEY}, X.509). */
  public static String publicKeyPem(final PublicKey key) {
    return pem(PUBLIC, key.getEncoded());
  }

  /**
   * The key's id: the first 8 bytes of the SHA-256 of its X.509 encoding, in hex. Records and logs
   * name keys by it; it says nothing secret.
   */
  public static String keyId(final PublicKey key) {
    try {
      final byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
      return HexFormat.of().formatHex(digest, 0, KEY_ID_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The Ed25519 private key in {@code file} (PEM, {@code PRIVATE KEY}).
   *
   * @throws ModelRegistryException naming the file when it cannot be read or holds no such key
   */
  public static PrivateKey readPrivateKey(final Path file) {
    final List<byte[]> keys = blocks(file, PRIVATE);
    if (keys.size() != 1) {
      throw new ModelRegistryException(
          "the signing key file "
              + file
              + " must hold exactly one PEM block '"
              + PRIVATE
              + "', found "
              + keys.size()
              + " (make one with: insession models keygen --out DIR)");
    }
    try {
      return KeyFactory.getInstance(ALGORITHM)
          .generatePrivate(new PKCS8EncodedKeySpec(keys.get(0)));
    } catch (GeneralSecurityException e) {
      throw new ModelRegistryException(
          "the signing key file " + file + " holds no " + ALGORITHM + " private key: " + e, e);
    }
  }

  /**
   * The Ed25519 public keys in {@code file} (one or more PEM {@code PUBLIC KEY} blocks: several
   * keys let a shop rotate its signing key).
   *
   * @throws ModelRegistryException naming the file when it cannot be read or holds no such key
   */
  public static List<PublicKey> readPublicKeys(final Path file) {
    final List<byte[]> blocks = blocks(file, PUBLIC);
    if (blocks.isEmpty()) {
      throw new ModelRegistryException(
          "the verify keys file " + file + " holds no PEM block '" + PUBLIC + "'");
    }
    final List<PublicKey> keys = new ArrayList<>();
    for (final byte[] block : blocks) {
      try {
        keys.add(KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(block)));
      } catch (GeneralSecurityException e) {
        throw new ModelRegistryException(
            "the verify keys file " + file + " holds a key that is not " + ALGORITHM + ": " + e, e);
      }
    }
    return List.copyOf(keys);
  }

  /** The signature file's text for {@code record} signed by {@code key}. */
  public static String sign(final byte[] record, final PrivateKey key) {
    try {
      final Signature signer = Signature.getInstance(ALGORITHM);
      signer.initSign(key);
      signer.update(record);
      return "algorithm "
          + ALGORITHM
          + "\nsignature "
          + Base64.getEncoder().encodeToString(signer.sign())
          + "\n";
    } catch (GeneralSecurityException e) {
      throw new ModelRegistryException("cannot sign with the configured key: " + e, e);
    }
  }

  /**
   * Checks {@code signatureText} (as {@link #sign} writes it) over {@code record} against each of
   * {@code keys} (a handful: trying each is cheaper than naming one).
   *
   * @return the id of the key that signed it
   * @throws CorruptModelVersionException when the text is malformed or no trusted key made it
   */
  public static String verify(
      final byte[] record, final String signatureText, final List<PublicKey> keys) {
    final String algorithm = field(signatureText, "algorithm");
    if (!ALGORITHM.equals(algorithm)) {
      throw new CorruptModelVersionException(
          "signature algorithm " + algorithm + " is not supported (only " + ALGORITHM + ")");
    }
    final byte[] signature;
    try {
      signature = Base64.getDecoder().decode(field(signatureText, "signature"));
    } catch (IllegalArgumentException e) {
      throw new CorruptModelVersionException("the signature is not Base64: " + e.getMessage(), e);
    }
    for (final PublicKey key : keys) {
      try {
        final Signature verifier = Signature.getInstance(ALGORITHM);
        verifier.initVerify(key);
        verifier.update(record);
        if (verifier.verify(signature)) {
          return keyId(key);
        }
      } catch (GeneralSecurityException e) {
        throw new CorruptModelVersionException("the signature cannot be checked: " + e, e);
      }
    }
    throw new CorruptModelVersionException(
        "the signature matches none of the trusted keys "
            + keys.stream().map(RecordSignatures::keyId).toList()
            + " (signed by another key, or the record was changed after signing)");
  }

  private static String field(final String text, final String name) {
    for (final String line : text.split("\n", -1)) {
      if (line.startsWith(name + " ")) {
        return line.substring(name.length() + 1).strip();
      }
    }
    throw new CorruptModelVersionException("the signature file has no '" + name + "' line");
  }

  private static String pem(final String type, final byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  private static List<byte[]> blocks(final Path file, final String type) {
    final String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new ModelRegistryException("cannot read the key file " + file + ": " + e, e);
    }
    final List<byte[]> blocks = new ArrayList<>();
    final Matcher matcher = PEM.matcher(text);
    while (matcher.find()) {
      if (matcher.group(1).equals(type)) {
        blocks.add(Base64.getMimeDecoder().decode(matcher.group(2)));
      }
    }
    return blocks;
  }
}
