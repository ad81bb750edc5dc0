package io.insession.kafka;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds out why a Kafka client gets no answer from a broker when the cause is the security
 * settings: a client that omits them against a TLS or SASL listener is disconnected without a word
 * and retries until its timeout. The probe opens its own connections to the first bootstrap server
 * and asks the listener what it speaks: does it answer a TLS handshake (and demand a client
 * certificate), and does it answer a {@code SaslHandshake} request with its SASL mechanisms. It
 * compares that with the client's {@code security.protocol}, {@code sasl.*} and {@code ssl.*}
 * settings and names the settings that are likely missing.
 *
 * <p>A client configured without TLS is probed in plaintext first, so a plaintext listener (the
 * common development case, where the cluster is merely slow to answer) never sees a TLS
 * ClientHello; only when the plaintext probe gets no answer is TLS tried.
 *
 * <p>The TLS probe accepts any certificate and sends no credentials: it only learns the listener's
 * protocol, never authenticates. The SASL probe asks for a mechanism that does not exist, so the
 * broker answers with the list of those it has and closes the connection.
 */
public final class SecurityProbe {

  private static final Logger LOG = LoggerFactory.getLogger(SecurityProbe.class);
  private static final int SOCKET_TIMEOUT_MS = 2_000;
  private static final short SASL_HANDSHAKE = 17;
  private static final short SASL_HANDSHAKE_VERSION = 1;
  private static final short UNSUPPORTED_SASL_MECHANISM = 33;
  private static final String PROBE_MECHANISM = "INSESSION-PROBE";

  private SecurityProbe() {}

  /** What a listener was seen to speak. */
  enum Tls {
    /** Answered a TLS handshake. */
    YES,
    /** Answered a TLS handshake and refused it for want of a client certificate. */
    CLIENT_CERTIFICATE_REQUIRED,
    /** Closed the connection on a TLS ClientHello. */
    NO
  }

  /**
   * A sentence naming the security settings the client is likely missing, or empty when the
   * listener speaks what the client is configured for (or cannot be probed).
   *
   * @param clientProperties the client's settings ({@code bootstrap.servers}, {@code
   *     security.protocol}, ...)
   */
  public static Optional<String> hint(final Map<String, ?> clientProperties) {
    final Object servers = clientProperties.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    if (servers == null) {
      return Optional.empty();
    }
    final String first = String.valueOf(servers).split(",", -1)[0].strip();
    final int colon = first.lastIndexOf(':');
    if (colon <= 0) {
      return Optional.empty();
    }
    final String host = first.substring(0, colon);
    final int port;
    try {
      port = Integer.parseInt(first.substring(colon + 1));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    try {
      if (!clientTls(clientProperties)) {
        // a client without TLS asks in plaintext first: a plaintext listener answers, and is
        // never sent a TLS ClientHello it would log as an oversized request
        final Optional<List<String>> plain = probePlaintextSasl(host, port);
        if (plain.isPresent()) {
          return compare(first, clientProperties, Tls.NO, plain);
        }
      }
      final Tls tls = probeTls(host, port);
      final Optional<List<String>> mechanisms =
          tls == Tls.CLIENT_CERTIFICATE_REQUIRED
              ? Optional.of(List.of())
              : probeSasl(host, port, tls == Tls.YES);
      return compare(first, clientProperties, tls, mechanisms);
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      LOG.debug("Cannot probe the listener at {}: {}", first, e.toString());
      return Optional.empty();
    }
  }

  private static boolean clientTls(final Map<String, ?> client) {
    return protocol(client).endsWith("SSL");
  }

  private static String protocol(final Map<String, ?> client) {
    return Objects.toString(client.get(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG), "PLAINTEXT")
        .strip()
        .toUpperCase(Locale.ROOT);
  }

  /**
   * {@link #probeSasl} without TLS; empty when the listener gives no Kafka answer: a TLS listener
   * keeps silent (waiting for the rest of a TLS record) or drops the connection (reset).
   */
  private static Optional<List<String>> probePlaintextSasl(final String host, final int port)
      throws GeneralSecurityException {
    try {
      return probeSasl(host, port, false);
    } catch (IOException e) {
      LOG.debug("No plaintext answer from {}:{}: {}", host, port, e.toString());
      return Optional.empty();
    }
  }

  /**
   * The hint for a listener that speaks {@code tls} and offers {@code mechanisms} (empty list: no
   * SASL; empty optional: unknown).
   */
  static Optional<String> compare(
      final String server,
      final Map<String, ?> client,
      final Tls tls,
      final Optional<List<String>> mechanisms) {
    final String protocol = protocol(client);
    final boolean clientTls = clientTls(client);
    final boolean clientSasl = protocol.startsWith("SASL");
    final boolean brokerTls = tls != Tls.NO;
    final boolean brokerSasl = mechanisms.map(m -> !m.isEmpty()).orElse(clientSasl);
    final String wanted = (brokerSasl ? "SASL_" : "") + (brokerTls ? "SSL" : "PLAINTEXT");
    final StringBuilder hint = new StringBuilder();
    if (clientTls != brokerTls || clientSasl != brokerSasl) {
      hint.append("the listener at ")
          .append(server)
          .append(" speaks ")
          .append(wanted)
          .append(tls == Tls.CLIENT_CERTIFICATE_REQUIRED ? " with client certificates" : "")
          .append(" but security.protocol is ")
          .append(protocol)
          .append(": set security.protocol=")
          .append(wanted);
      if (brokerSasl && !clientSasl) {
        hint.append(", sasl.mechanism=")
            .append(mechanisms.map(m -> m.get(0)).orElse("<mechanism>"))
            .append(" (the broker offers ")
            .append(mechanisms.map(String::valueOf).orElse("SASL"))
            .append(") and sasl.jaas.config");
      }
      if (brokerTls && !clientTls) {
        hint.append(
            ", ssl.truststore.location (unless a CA the JVM trusts signed its certificate)");
      }
      if (tls == Tls.CLIENT_CERTIFICATE_REQUIRED
          && !client.containsKey(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG)) {
        hint.append(" and ssl.keystore.location with the client certificate");
      }
    } else if (tls == Tls.CLIENT_CERTIFICATE_REQUIRED
        && !client.containsKey(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG)) {
      hint.append("the listener at ")
          .append(server)
          .append(" wants a client certificate (mutual TLS): set ssl.keystore.location,")
          .append(" ssl.keystore.password and ssl.key.password");
    } else if (brokerSasl && !client.containsKey(SaslConfigs.SASL_JAAS_CONFIG)) {
      hint.append("the listener at ")
          .append(server)
          .append(" wants SASL (")
          .append(mechanisms.map(String::valueOf).orElse("?"))
          .append(") but sasl.jaas.config is not set");
    }
    if (hint.length() == 0) {
      return Optional.empty();
    }
    hint.append(" (see docs/security-kafka.md)");
    return Optional.of(hint.toString());
  }

  /** Whether the listener answers a TLS handshake (any certificate accepted, none offered). */
  static Tls probeTls(final String host, final int port)
      throws IOException, GeneralSecurityException {
    final SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {new AnyCertificate()}, null);
    try (Socket plain = connect(host, port);
        SSLSocket socket =
            (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true)) {
      socket.setSoTimeout(SOCKET_TIMEOUT_MS);
      try {
        socket.startHandshake();
      } catch (SSLException e) {
        final String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        if (message.contains("bad_certificate") || message.contains("certificate_required")) {
          return Tls.CLIENT_CERTIFICATE_REQUIRED; // TLS 1.2
        }
        return message.contains("received fatal alert") ? Tls.YES : Tls.NO;
      }
      // TLS 1.3 ends the handshake before the server checks the client's certificate: a listener
      // that answers a request speaks TLS, one that drops the connection wanted a certificate
      try {
        socket.getOutputStream().write(saslHandshakeRequest());
        socket.getOutputStream().flush();
        return socket.getInputStream().read() < 0 ? Tls.CLIENT_CERTIFICATE_REQUIRED : Tls.YES;
      } catch (SocketTimeoutException e) {
        return Tls.YES;
      } catch (IOException e) {
        return Tls.CLIENT_CERTIFICATE_REQUIRED;
      }
    } catch (EOFException e) {
      return Tls.NO;
    }
  }

  /**
   * The SASL mechanisms the listener offers: an empty list when it answers a {@code SaslHandshake}
   * without any (no SASL), empty when it does not answer at all.
   */
  static Optional<List<String>> probeSasl(final String host, final int port, final boolean tls)
      throws IOException, GeneralSecurityException {
    Socket socket = connect(host, port);
    try {
      if (tls) {
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new AnyCertificate()}, null);
        socket = context.getSocketFactory().createSocket(socket, host, port, true);
      }
      socket.setSoTimeout(SOCKET_TIMEOUT_MS);
      final DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      out.write(saslHandshakeRequest());
      out.flush();
      final DataInputStream in = new DataInputStream(socket.getInputStream());
      in.readInt(); // size
      in.readInt(); // correlation id
      final short error = in.readShort();
      final int count = in.readInt();
      final List<String> mechanisms = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        final byte[] name = new byte[in.readShort()];
        in.readFully(name);
        mechanisms.add(new String(name, StandardCharsets.UTF_8));
      }
      return Optional.of(error == UNSUPPORTED_SASL_MECHANISM ? mechanisms : List.of());
    } catch (EOFException e) {
      return Optional.empty();
    } finally {
      socket.close();
    }
  }

  /** A {@code SaslHandshake} v1 request (header v1) for a mechanism no broker has. */
  private static byte[] saslHandshakeRequest() throws IOException {
    final byte[] clientId = "insession-probe".getBytes(StandardCharsets.UTF_8);
    final byte[] mechanism = PROBE_MECHANISM.getBytes(StandardCharsets.UTF_8);
    final ByteArrayOutputStream body = new ByteArrayOutputStream();
    final DataOutputStream out = new DataOutputStream(body);
    out.writeShort(SASL_HANDSHAKE);
    out.writeShort(SASL_HANDSHAKE_VERSION);
    out.writeInt(1);
    out.writeShort(clientId.length);
    out.write(clientId);
    out.writeShort(mechanism.length);
    out.write(mechanism);
    final ByteArrayOutputStream framed = new ByteArrayOutputStream();
    final DataOutputStream frame = new DataOutputStream(framed);
    frame.writeInt(body.size());
    body.writeTo(frame);
    return framed.toByteArray();
  }

  private static Socket connect(final String host, final int port) throws IOException {
    final Socket socket = new Socket();
    socket.connect(new InetSocketAddress(host, port), SOCKET_TIMEOUT_MS);
    return socket;
  }

  /** Accepts every certificate: the probe learns the protocol and sends nothing secret. */
  private static final class AnyCertificate implements X509TrustManager {
    @Override
    public void checkClientTrusted(final X509Certificate[] chain, final String authType) {}

    @Override
    public void checkServerTrusted(final X509Certificate[] chain, final String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
