package io.insession.http;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * OAuth2 bearer JWTs checked locally (Nimbus JOSE+JWT): the signature against the public keys of a
 * JWKS file (read at start and again when it changes, see {@link Credentials}) (RSA and EC
 * algorithms only, never {@code none} or HMAC), {@code exp} required and in the future, {@code nbf}
 * if present (60 s of clock skew allowed), and the issuer and audience when configured. Scopes come
 * from {@code scope} (space-separated, RFC 8693) or {@code scp} (a list or a string); unknown ones
 * are ignored. No network call per request.
 */
public final class JwtTokens {

  private static final Set<JWSAlgorithm> ALGORITHMS =
      Set.of(
          JWSAlgorithm.RS256,
          JWSAlgorithm.RS384,
          JWSAlgorithm.RS512,
          JWSAlgorithm.PS256,
          JWSAlgorithm.PS384,
          JWSAlgorithm.PS512,
          JWSAlgorithm.ES256,
          JWSAlgorithm.ES384,
          JWSAlgorithm.ES512);

  private final DefaultJWTProcessor<SecurityContext> processor;
  private final int keys;

  private JwtTokens(final DefaultJWTProcessor<SecurityContext> processor, final int keys) {
    this.processor = processor;
    this.keys = keys;
  }

  /**
   * Reads the key set.
   *
   * @param jwks the JWKS file (public keys)
   * @param issuer the {@code iss} required, empty for any
   * @param audience an {@code aud} required, empty for any
   * @throws IllegalArgumentException when the file cannot be read or holds no key
   */
  public static JwtTokens load(final Path jwks, final String issuer, final String audience) {
    final String json;
    try {
      json = Files.readString(jwks, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read the JWKS file " + jwks + ": " + e.getMessage(), e);
    }
    return parse(json, jwks.toString(), issuer, audience);
  }

  /**
   * Parses a key set.
   *
   * @param json the JWKS document (public keys)
   * @param source where it comes from, for error messages
   * @param issuer the {@code iss} required, empty for any
   * @param audience an {@code aud} required, empty for any
   * @throws IllegalArgumentException when the document is not a key set or holds no key
   */
  public static JwtTokens parse(
      final String json, final String source, final String issuer, final String audience) {
    final JWKSet set;
    try {
      set = JWKSet.parse(json);
    } catch (ParseException e) {
      throw new IllegalArgumentException(
          "cannot read the JWKS file " + source + ": " + e.getMessage(), e);
    }
    if (set.getKeys().isEmpty()) {
      throw new IllegalArgumentException("the JWKS file " + source + " holds no key");
    }
    final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(
        new JWSVerificationKeySelector<>(ALGORITHMS, new ImmutableJWKSet<>(set.toPublicJWKSet())));
    final JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
    if (!issuer.isBlank()) {
      exact.issuer(issuer);
    }
    processor.setJWTClaimsSetVerifier(
        new DefaultJWTClaimsVerifier<>(
            audience.isBlank() ? null : audience, exact.build(), Set.of("exp")));
    return new JwtTokens(processor, set.getKeys().size());
  }

  /** Whether {@code credential} is shaped like a JWS compact serialization. */
  static boolean looksLikeJwt(final String credential) {
    return credential.startsWith("eyJ") && credential.chars().filter(c -> c == '.').count() == 2;
  }

  /**
   * Checks {@code token}.
   *
   * @return the principal {@code jwt:<sub>} with the token's scopes
   * @throws IllegalArgumentException saying why the token is refused (expired, bad signature, ...)
   */
  Principal verify(final String token) {
    final JWTClaimsSet claims;
    try {
      claims = processor.process(token, null);
    } catch (BadJWTException e) {
      throw new IllegalArgumentException("token refused: " + e.getMessage(), e);
    } catch (BadJOSEException | JOSEException | ParseException e) {
      throw new IllegalArgumentException("token not valid: " + e.getMessage(), e);
    }
    final String subject = claims.getSubject() == null ? "?" : claims.getSubject();
    return new Principal("jwt:" + subject, scopes(claims));
  }

  /** How many keys the set holds. */
  public int size() {
    return keys;
  }

  private static Set<Scope> scopes(final JWTClaimsSet claims) {
    final List<String> tokens = new ArrayList<>();
    final Object scope = claims.getClaim("scope");
    if (scope instanceof String text) {
      tokens.addAll(List.of(text.split("\\s+")));
    }
    final Object scp = claims.getClaim("scp");
    if (scp instanceof String text) {
      tokens.addAll(List.of(text.split("\\s+")));
    } else if (scp instanceof List<?> list) {
      list.forEach(item -> tokens.add(String.valueOf(item)));
    }
    final Set<Scope> scopes = new LinkedHashSet<>();
    tokens.forEach(token -> Scope.parse(token).ifPresent(scopes::add));
    return scopes;
  }
}
