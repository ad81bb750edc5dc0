package io.insession.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** What {@link SecurityProbe} concludes from what a listener speaks and what the client set. */
class SecurityProbeTest {

  private static final String SERVER = "kafka:9093";
  private static final Optional<List<String>> SCRAM = Optional.of(List.of("SCRAM-SHA-512"));
  private static final Optional<List<String>> NO_SASL = Optional.of(List.of());

  @Test
  void shouldNameProtocolMechanismAndTruststoreForAPlaintextClientAtASaslSslListener() {
    assertThat(SecurityProbe.compare(SERVER, Map.of(), SecurityProbe.Tls.YES, SCRAM))
        .hasValue(
            "the listener at kafka:9093 speaks SASL_SSL but security.protocol is PLAINTEXT: set"
                + " security.protocol=SASL_SSL, sasl.mechanism=SCRAM-SHA-512 (the broker offers"
                + " [SCRAM-SHA-512]) and sasl.jaas.config, ssl.truststore.location (unless a CA"
                + " the JVM trusts signed its certificate) (see docs/security-kafka.md)");
  }

  @Test
  void shouldNameSaslForAPlaintextClientAtASaslPlaintextListener() {
    assertThat(SecurityProbe.compare(SERVER, Map.of(), SecurityProbe.Tls.NO, SCRAM))
        .get()
        .asString()
        .contains("speaks SASL_PLAINTEXT but security.protocol is PLAINTEXT")
        .doesNotContain("truststore");
  }

  @Test
  void shouldNameTheMissingJaasConfigWhenTheProtocolFits() {
    assertThat(
            SecurityProbe.compare(
                SERVER, Map.of("security.protocol", "sasl_ssl"), SecurityProbe.Tls.YES, SCRAM))
        .get()
        .asString()
        .contains("wants SASL ([SCRAM-SHA-512]) but sasl.jaas.config is not set");
  }

  @Test
  void shouldNameTheKeystoreForATlsClientWithoutCertificateAtAMutualTlsListener() {
    assertThat(
            SecurityProbe.compare(
                SERVER,
                Map.of("security.protocol", "SSL"),
                SecurityProbe.Tls.CLIENT_CERTIFICATE_REQUIRED,
                NO_SASL))
        .get()
        .asString()
        .contains("wants a client certificate (mutual TLS): set ssl.keystore.location");
  }

  @Test
  void shouldSayNothingWhenTheSettingsFitTheListener() {
    assertThat(SecurityProbe.compare(SERVER, Map.of(), SecurityProbe.Tls.NO, NO_SASL)).isEmpty();
    assertThat(
            SecurityProbe.compare(
                SERVER,
                Map.of("security.protocol", "SASL_SSL", "sasl.jaas.config", "${file:/s:jaas}"),
                SecurityProbe.Tls.YES,
                SCRAM))
        .isEmpty();
    assertThat(
            SecurityProbe.compare(
                SERVER,
                Map.of("security.protocol", "SSL", "ssl.keystore.location", "/k.p12"),
                SecurityProbe.Tls.CLIENT_CERTIFICATE_REQUIRED,
                NO_SASL))
        .isEmpty();
  }

  @Test
  void shouldSayNothingWhenNoListenerAnswers() {
    assertThat(SecurityProbe.hint(Map.of("bootstrap.servers", "localhost:1"))).isEmpty();
    assertThat(SecurityProbe.hint(Map.of())).isEmpty();
  }

  @Test
  void shouldAskAPlaintextClientsListenerInPlaintextBeforeTryingTls() throws Exception {
    // a listener that reads the first byte of each connection and hangs up: the probe of a client
    // without TLS must open with a Kafka request (a 4-byte size, first byte 0), never with a TLS
    // ClientHello (0x16), which a plaintext broker logs as an oversized request
    final List<Integer> firstBytes = new CopyOnWriteArrayList<>();
    final ServerSocket listener = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    final Thread acceptor =
        new Thread(
            () -> {
              while (!listener.isClosed()) {
                try (Socket connection = listener.accept()) {
                  firstBytes.add(connection.getInputStream().read());
                } catch (IOException e) {
                  return;
                }
              }
            });
    acceptor.start();
    try {
      final String server = "127.0.0.1:" + listener.getLocalPort();
      assertThat(SecurityProbe.hint(Map.of("bootstrap.servers", server))).isEmpty();
      assertThat(firstBytes).first().isEqualTo(0);
      firstBytes.clear();
      SecurityProbe.hint(Map.of("bootstrap.servers", server, "security.protocol", "SSL"));
      assertThat(firstBytes).first().isEqualTo(0x16);
    } finally {
      listener.close();
      acceptor.join();
    }
  }
}
