package io.insession.testing;

import static org.awaitility.Awaitility.await;

import io.insession.kafka.EmbeddedKafkaBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One secured single-node KRaft broker per test class, in this JVM, as a JUnit 5 extension. It has
 * three client listeners:
 *
 * <ul>
 *   <li>{@code SASL_SSL} with SCRAM-SHA-512 ({@link #sasl(String, String)});
 *   <li>{@code MTLS}, TLS with required client certificates; the principal is the certificate's CN
 *       ({@link #mtls()}, principal {@value #MTLS_PRINCIPAL});
 *   <li>{@code INTERNAL}, plaintext, for the broker itself and the test's set-up ({@link
 *       #superAdmin()}): its ANONYMOUS principal is the super user.
 * </ul>
 *
 * <p>{@code StandardAuthorizer} checks every request: a principal can do only what {@link
 * #grant(Collection)} allowed it. The TLS material (a self-signed broker certificate for {@code
 * localhost}, one client certificate) is made in a temporary directory with the JDK's {@code
 * keytool} when the class starts and deleted when it ends; no key is ever committed.
 */
public final class SecureKafkaCluster implements BeforeAllCallback, AfterAllCallback {

  /** The SCRAM mechanism of the SASL_SSL listener. */
  public static final String MECHANISM = "SCRAM-SHA-512";

  /** The principal name of the client certificate ({@code User:} + this). */
  public static final String MTLS_PRINCIPAL = "insession-mtls";

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final String STORE_PASSWORD = "test-only-store-password";

  private Path dir;
  private EmbeddedKafkaBroker broker;
  private int saslPort;
  private int mtlsPort;

  @Override
  public void beforeAll(final ExtensionContext context) throws Exception {
    dir = Files.createTempDirectory("insession-tls-");
    makeTlsMaterial();
    final EmbeddedKafkaBroker.Ports internal = EmbeddedKafkaBroker.findFreePorts();
    final EmbeddedKafkaBroker.Ports secured = EmbeddedKafkaBroker.findFreePorts();
    saslPort = secured.broker();
    mtlsPort = secured.controller();
    final String clientListeners =
        "SASL_SSL://localhost:"
            + saslPort
            + ",MTLS://localhost:"
            + mtlsPort
            + ",INTERNAL://localhost:"
            + internal.broker();
    broker =
        EmbeddedKafkaBroker.builder()
            .ports(internal)
            .property(
                "listeners", clientListeners + ",CONTROLLER://localhost:" + internal.controller())
            .property("advertised.listeners", clientListeners)
            .property(
                "listener.security.protocol.map",
                "SASL_SSL:SASL_SSL,MTLS:SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT")
            .property("inter.broker.listener.name", "INTERNAL")
            .property("sasl.enabled.mechanisms", MECHANISM)
            .property(
                "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;")
            .property("ssl.keystore.type", "PKCS12")
            .property("ssl.keystore.location", dir.resolve("broker.p12").toString())
            .property("ssl.keystore.password", STORE_PASSWORD)
            .property("ssl.key.password", STORE_PASSWORD)
            .property("listener.name.mtls.ssl.client.auth", "required")
            .property("listener.name.mtls.ssl.truststore.type", "PKCS12")
            .property(
                "listener.name.mtls.ssl.truststore.location",
                dir.resolve("broker-truststore.p12").toString())
            .property("listener.name.mtls.ssl.truststore.password", STORE_PASSWORD)
            .property("ssl.principal.mapping.rules", "RULE:^CN=([^,]+)$/$1/,DEFAULT")
            .property(
                "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
            .property("super.users", "User:ANONYMOUS")
            .start();
  }

  @Override
  public void afterAll(final ExtensionContext context) throws IOException {
    try {
      if (broker != null) {
        broker.close();
      }
    } finally {
      broker = null;
      if (dir != null) {
        try (Stream<Path> files = Files.walk(dir)) {
          for (final Path file : files.sorted(Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(file);
          }
        }
      }
    }
  }

  /** {@code bootstrap.servers} of the SASL_SSL listener. */
  public String saslBootstrapServers() {
    return "localhost:" + saslPort;
  }

  /** {@code bootstrap.servers} of the mutual-TLS listener. */
  public String mtlsBootstrapServers() {
    return "localhost:" + mtlsPort;
  }

  /** Client settings for the broker's certificate: truststore only. */
  public Map<String, String> truststore() {
    final Map<String, String> settings = new HashMap<>();
    settings.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
    settings.put(
        SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, dir.resolve("client-truststore.p12").toString());
    settings.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, STORE_PASSWORD);
    return settings;
  }

  /** Client settings for the SASL_SSL listener as {@code user}, password in plain sight. */
  public Map<String, String> sasl(final String user, final String password) {
    final Map<String, String> settings = saslWithoutCredentials();
    settings.put(SaslConfigs.SASL_JAAS_CONFIG, jaasConfig(user, password));
    return settings;
  }

  /** Client settings for the SASL_SSL listener without {@code sasl.jaas.config}. */
  public Map<String, String> saslWithoutCredentials() {
    final Map<String, String> settings = truststore();
    settings.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, saslBootstrapServers());
    settings.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
    settings.put(SaslConfigs.SASL_MECHANISM, MECHANISM);
    return settings;
  }

  /** The JAAS line that logs {@code user} in with SCRAM. */
  public static String jaasConfig(final String user, final String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + user
        + "\" password=\""
        + password
        + "\";";
  }

  /** Client settings for the mutual-TLS listener, as {@code User:}{@value #MTLS_PRINCIPAL}. */
  public Map<String, String> mtls() {
    final Map<String, String> settings = truststore();
    settings.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, mtlsBootstrapServers());
    settings.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
    settings.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12");
    settings.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, dir.resolve("client.p12").toString());
    settings.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, STORE_PASSWORD);
    settings.put(SslConfigs.SSL_KEY_PASSWORD_CONFIG, STORE_PASSWORD);
    return settings;
  }

  /** An admin client on the plaintext INTERNAL listener, as the super user. */
  public Admin superAdmin() {
    return Admin.create(
        Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
  }

  /** Adds a SCRAM user and waits until the SASL_SSL listener logs it in. */
  public void addUser(final String user, final String password) throws Exception {
    try (Admin admin = superAdmin()) {
      admin
          .alterUserScramCredentials(
              List.of(
                  new UserScramCredentialUpsertion(
                      user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password)))
          .all()
          .get();
    }
    final Map<String, Object> client = new HashMap<>(sasl(user, password));
    try (Admin admin = Admin.create(client)) {
      await()
          .atMost(TIMEOUT)
          .ignoreExceptionsInstanceOf(ExecutionException.class)
          .until(() -> admin.describeCluster().clusterId().get() != null);
    }
  }

  /** Creates these ACLs and waits until the broker enforces them. */
  public void grant(final Collection<AclBinding> acls) throws Exception {
    try (Admin admin = superAdmin()) {
      admin.createAcls(acls).all().get();
      await()
          .atMost(TIMEOUT)
          .until(
              () ->
                  new HashSet<>(admin.describeAcls(AclBindingFilter.ANY).values().get())
                      .containsAll(acls));
    }
  }

  private void makeTlsMaterial() throws IOException, InterruptedException {
    // two self-signed key pairs; each side trusts the other's certificate
    run(
        List.of(
            genkeypair("broker", "CN=localhost", "SAN=dns:localhost,ip:127.0.0.1"),
            genkeypair("client", "CN=" + MTLS_PRINCIPAL, "KU=digitalSignature")));
    run(List.of(exportcert("broker"), exportcert("client")));
    run(
        List.of(
            importcert("broker", "client-truststore.p12"),
            importcert("client", "broker-truststore.p12")));
  }

  private List<String> genkeypair(final String name, final String dname, final String ext) {
    return keytool(
        "-genkeypair",
        "-alias",
        name,
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        dname,
        "-ext",
        ext,
        "-validity",
        "2",
        "-keystore",
        dir.resolve(name + ".p12").toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        STORE_PASSWORD,
        "-keypass",
        STORE_PASSWORD);
  }

  private List<String> exportcert(final String name) {
    return keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        name,
        "-keystore",
        dir.resolve(name + ".p12").toString(),
        "-storepass",
        STORE_PASSWORD,
        "-file",
        dir.resolve(name + ".crt").toString());
  }

  private List<String> importcert(final String name, final String truststore) {
    return keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        name,
        "-file",
        dir.resolve(name + ".crt").toString(),
        "-keystore",
        dir.resolve(truststore).toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        STORE_PASSWORD);
  }

  private static List<String> keytool(final String... args) {
    final List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    return command;
  }

  /** Runs the commands side by side; fails with their output if one fails. */
  private void run(final List<List<String>> commands) throws IOException, InterruptedException {
    final List<Process> processes = new ArrayList<>();
    for (final List<String> command : commands) {
      processes.add(new ProcessBuilder(command).redirectErrorStream(true).start());
    }
    for (int i = 0; i < processes.size(); i++) {
      final Process process = processes.get(i);
      final String output =
          new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (process.waitFor() != 0) {
        throw new IllegalStateException("keytool failed: " + commands.get(i) + "\n" + output);
      }
    }
  }
}
