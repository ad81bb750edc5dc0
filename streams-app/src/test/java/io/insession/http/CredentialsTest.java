package io.insession.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key rotation without a restart: the keys file and the JWKS file are looked at again once the
 * reload interval has passed (on a manual clock), and a change is taken only when it parses.
 */
class CredentialsTest {

  private static final String OLD_KEY = "old-key-0123456789abcdef";
  private static final String NEW_KEY = "new-key-0123456789abcdef";
  private static final long INTERVAL_MS = 30_000;

  @TempDir Path dir;

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  @Test
  void shouldAcceptAnAddedKeyAndRefuseARevokedOneOnceTheIntervalHasPassed() throws IOException {
    final Path keys = dir.resolve("api-keys");
    Files.writeString(keys, "web recommendations:read " + OLD_KEY + "\n");
    final Credentials credentials = watching(keys, Optional.empty(), INTERVAL_MS);
    assertThat(credentials.authenticate(OLD_KEY).name()).isEqualTo("key:web");

    Files.writeString(keys, "web-2026 recommendations:read " + NEW_KEY + "\n");
    // not looked at before the interval is over
    advanceMs(INTERVAL_MS - 1);
    assertThat(credentials.authenticate(OLD_KEY).name()).isEqualTo("key:web");
    assertThrows(IllegalArgumentException.class, () -> credentials.authenticate(NEW_KEY));

    advanceMs(1);
    assertThat(credentials.authenticate(NEW_KEY).name()).isEqualTo("key:web-2026");
    assertThat(credentials.authenticate(NEW_KEY).scopes())
        .containsExactly(Scope.RECOMMENDATIONS_READ);
    final IllegalArgumentException revoked =
        assertThrows(IllegalArgumentException.class, () -> credentials.authenticate(OLD_KEY));
    assertThat(revoked).hasMessage("unknown API key");
    assertThat(credentials.apiKeys()).isEqualTo(1);
  }

  @Test
  void shouldKeepTheKeysInForceWhenTheChangedFileIsMalformedOrEmpty() throws IOException {
    final Path keys = dir.resolve("api-keys");
    Files.writeString(keys, "web recommendations:read " + OLD_KEY + "\n");
    final Credentials credentials = watching(keys, Optional.empty(), INTERVAL_MS);

    Files.writeString(keys, "web recommendations:read short\n");
    advanceMs(INTERVAL_MS);
    assertThat(credentials.authenticate(OLD_KEY).name()).isEqualTo("key:web");

    // authentication is required: a file with no key left would lock everybody out
    Files.writeString(keys, "# all revoked\n");
    advanceMs(INTERVAL_MS);
    assertThat(credentials.authenticate(OLD_KEY).name()).isEqualTo("key:web");

    Files.delete(keys);
    advanceMs(INTERVAL_MS);
    assertThat(credentials.authenticate(OLD_KEY).name()).isEqualTo("key:web");

    // a good file again is taken
    Files.writeString(keys, "web-2026 recommendations:read " + NEW_KEY + "\n");
    advanceMs(INTERVAL_MS);
    assertThat(credentials.authenticate(NEW_KEY).name()).isEqualTo("key:web-2026");
    assertThrows(IllegalArgumentException.class, () -> credentials.authenticate(OLD_KEY));
  }

  @Test
  void shouldTrustARotatedSigningKeyAndNoLongerTheRemovedOne() throws Exception {
    final RSAKey first = new RSAKeyGenerator(2048).keyID("k1").generate();
    final RSAKey second = new RSAKeyGenerator(2048).keyID("k2").generate();
    final Path keys = dir.resolve("api-keys");
    Files.writeString(keys, "web recommendations:read " + OLD_KEY + "\n");
    final Path jwks = dir.resolve("jwks.json");
    Files.writeString(jwks, new JWKSet(first.toPublicJWK()).toString());
    final Credentials credentials = watching(keys, Optional.of(jwks), INTERVAL_MS);
    assertThat(credentials.authenticate(token(first)).name()).isEqualTo("jwt:checkout");
    assertThrows(IllegalArgumentException.class, () -> credentials.authenticate(token(second)));

    // the identity provider publishes the new key beside the old one, then drops the old one
    Files.writeString(
        jwks, new JWKSet(List.of(first.toPublicJWK(), second.toPublicJWK())).toString());
    advanceMs(INTERVAL_MS);
    assertThat(credentials.authenticate(token(first)).name()).isEqualTo("jwt:checkout");
    assertThat(credentials.authenticate(token(second)).name()).isEqualTo("jwt:checkout");

    Files.writeString(jwks, new JWKSet(second.toPublicJWK()).toString());
    advanceMs(INTERVAL_MS);
    assertThat(credentials.authenticate(token(second)).name()).isEqualTo("jwt:checkout");
    assertThrows(IllegalArgumentException.class, () -> credentials.authenticate(token(first)));
    assertThat(credentials.jwksKeys()).isEqualTo(1);
  }

  @Test
  void shouldReadTheFilesOnlyAtStartWhenTheIntervalIsZero() throws IOException {
    final Path keys = dir.resolve("api-keys");
    Files.writeString(keys, "web recommendations:read " + OLD_KEY + "\n");
    final Credentials credentials = watching(keys, Optional.empty(), 0);
    Files.writeString(keys, "web-2026 recommendations:read " + NEW_KEY + "\n");
    advanceMs(3_600_000);
    assertThat(credentials.authenticate(OLD_KEY).name()).isEqualTo("key:web");
    assertThrows(IllegalArgumentException.class, () -> credentials.authenticate(NEW_KEY));
    assertThat(credentials.reloads()).isFalse();
  }

  @Test
  void shouldRefuseAnUnreadableFileAtStartNamingIt() {
    final Path missing = dir.resolve("no-such-keys");
    final IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> watching(missing, Optional.empty(), INTERVAL_MS));
    assertThat(e).hasMessageContaining("no-such-keys");
  }

  private Credentials watching(final Path keys, final Optional<Path> jwks, final long intervalMs) {
    return Credentials.watching(
        new Credentials.Sources(Optional.of(keys), "", "", jwks, "", ""),
        true,
        intervalMs,
        nanos::get);
  }

  private void advanceMs(final long ms) {
    nanos.addAndGet(ms * 1_000_000L);
  }

  private static String token(final RSAKey key) throws JOSEException {
    final SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
            new JWTClaimsSet.Builder()
                .subject("checkout")
                .claim("scope", "recommendations:read")
                .expirationTime(Date.from(Instant.now().plusSeconds(600)))
                .build());
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }
}
