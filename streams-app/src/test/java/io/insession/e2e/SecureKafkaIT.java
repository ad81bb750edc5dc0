package io.insession.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.insession.cli.Main;
import io.insession.config.InSessionConfig;
import io.insession.kafka.TopicSetup;
import io.insession.kafka.TopicSpec;
import io.insession.runtime.InSessionTopics;
import io.insession.runtime.RecommenderService;
import io.insession.testing.HttpJson;
import io.insession.testing.SecureKafkaCluster;
import io.insession.testing.TestModels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * InSession against a secured broker (SASL_SSL with SCRAM-SHA-512, and mutual TLS) that enforces
 * ACLs: the stream, the lookup API with its event collector and the CLI each run as their own
 * principal with exactly the ACLs docs/security-kafka.md lists, and an event posted to the
 * collector comes back as a list. Secrets come from files ({@code config.providers=file}) or the
 * environment, never from the command line. A principal without ACLs and a client without the
 * security settings get an error that says what is missing.
 */
class SecureKafkaIT {

  @RegisterExtension static final SecureKafkaCluster KAFKA = new SecureKafkaCluster();

  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final String TINY = "gru4rec-tiny:20261123T202252Z";
  private static final String FILE_PROVIDER =
      "org.apache.kafka.common.config.provider.FileConfigProvider";

  @TempDir Path dir;

  @Test
  void shouldServeAListForACollectedEventWithEachPrincipalsAclsOverSaslSsl() throws Exception {
    final Map<String, String> names = names("sasl");
    final InSessionConfig topics = InSessionConfig.of(names);
    KAFKA.addUser("insession-stream", "stream-secret");
    KAFKA.addUser("insession-lookup", "lookup-secret");
    KAFKA.addUser("insession-cli", "cli-secret");
    KAFKA.grant(InSessionAcls.stream("User:insession-stream", topics));
    KAFKA.grant(InSessionAcls.lookup("User:insession-lookup", topics));
    KAFKA.grant(InSessionAcls.cli("User:insession-cli", topics));

    // the stream reads its password from a file through Kafka's FileConfigProvider
    final Map<String, String> stream = new HashMap<>(names);
    stream.putAll(KAFKA.saslWithoutCredentials());
    stream.putAll(
        secretFromFile(
            SaslConfigs.SASL_JAAS_CONFIG,
            SecureKafkaCluster.jaasConfig("insession-stream", "stream-secret")));
    // the lookup API from the environment (KAFKA_SASL_JAAS_CONFIG)
    final Map<String, String> lookup = new HashMap<>(names);
    lookup.putAll(KAFKA.saslWithoutCredentials());
    final InSessionConfig lookupConfig =
        InSessionConfig.load(
            null,
            Map.of(
                "KAFKA_SASL_JAAS_CONFIG",
                SecureKafkaCluster.jaasConfig("insession-lookup", "lookup-secret")),
            lookup);

    roundTrip(
        RecommenderService.builder(InSessionConfig.of(stream)).stream()
            .metrics()
            .deployments()
            .start(),
        RecommenderService.builder(lookupConfig).lookupApi().start());

    final Map<String, String> cli = new HashMap<>(names);
    cli.putAll(KAFKA.saslWithoutCredentials());
    cli.putAll(
        secretFromFile(
            SaslConfigs.SASL_JAAS_CONFIG,
            SecureKafkaCluster.jaasConfig("insession-cli", "cli-secret")));
    assertDeploys(configFile(cli));
  }

  @Test
  void shouldServeAListForACollectedEventOverMutualTls() throws Exception {
    final Map<String, String> names = names("mtls");
    final InSessionConfig topics = InSessionConfig.of(names);
    final String principal = "User:" + SecureKafkaCluster.MTLS_PRINCIPAL;
    final List<AclBinding> acls = new ArrayList<>();
    acls.addAll(InSessionAcls.stream(principal, topics));
    acls.addAll(InSessionAcls.lookup(principal, topics));
    acls.addAll(InSessionAcls.cli(principal, topics));
    KAFKA.grant(acls);

    final Map<String, String> settings = new HashMap<>(names);
    settings.putAll(KAFKA.mtls());
    // the key store passwords from a file
    settings.putAll(
        secretFromFile(
            SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG,
            settings.get(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG)));
    final RecommenderService service =
        RecommenderService.builder(InSessionConfig.of(settings)).stream()
            .metrics()
            .deployments()
            .lookupApi()
            .start();
    roundTrip(service, service);

    assertDeploys(configFile(settings));
  }

  @Test
  void shouldPointToTheAclsWhenThePrincipalHasNone() throws Exception {
    final Map<String, String> settings = names("denied");
    KAFKA.addUser("insession-stranger", "stranger-secret");
    settings.putAll(KAFKA.sasl("insession-stranger", "stranger-secret"));

    assertThatThrownBy(
            () -> RecommenderService.builder(InSessionConfig.of(settings)).stream().start())
        .isInstanceOf(KafkaException.class)
        .hasMessageContaining("Cannot create topic " + settings.get(InSessionConfig.WEBLOG_TOPIC))
        .hasMessageContaining("TopicAuthorizationException")
        .hasMessageContaining("docs/security-kafka.md");

    final Cli deploy = deploy(configFile(settings));
    assertThat(deploy.code()).isNotZero();
    assertThat(deploy.err())
        .contains("Cannot create topic " + settings.get(InSessionConfig.DEPLOYMENTS_TOPIC))
        .contains("docs/security-kafka.md");
  }

  @Test
  void shouldStartWithoutCreateOnOperatorMadeTopicsAndNameAMissingTrendingTopic() throws Exception {
    final Map<String, String> settings = names("operator");
    final InSessionConfig names = InSessionConfig.of(settings);
    KAFKA.addUser("insession-nocreate", "nocreate-secret");
    // the stream's ACLs without CREATE on its topics: an operator makes them
    KAFKA.grant(
        InSessionAcls.stream("User:insession-nocreate", names).stream()
            .filter(
                acl ->
                    acl.entry().operation() != AclOperation.CREATE
                        || acl.pattern().patternType() == PatternType.PREFIXED)
            .toList());
    settings.putAll(KAFKA.sasl("insession-nocreate", "nocreate-secret"));
    final List<TopicSpec> specs = InSessionTopics.specs(names);
    final String trending = names.getString(InSessionConfig.TRENDING_TOPIC);
    try (Admin admin = KAFKA.superAdmin()) {
      // every topic but the trending one, which live trending (on by default) needs
      TopicSetup.ensureTopics(
          admin, specs.stream().filter(spec -> !spec.name().equals(trending)).toList(), TIMEOUT);
    }

    assertThatThrownBy(() -> ensureTopics(settings))
        .isInstanceOf(KafkaException.class)
        .hasMessageContaining("Cannot create topic " + trending)
        .hasMessageContaining("TopicAuthorizationException")
        .hasMessageContaining(InSessionConfig.TRENDING_ENABLED + "=false");

    // once the operator made it too, the principal without CREATE passes: only missing topics
    // are created
    try (Admin admin = KAFKA.superAdmin()) {
      TopicSetup.ensureTopics(admin, specs, TIMEOUT);
    }
    final InSessionConfig secured = InSessionConfig.of(settings);
    assertThat(TopicSetup.ensureTopics(secured, InSessionTopics.specs(secured), TIMEOUT)).isEmpty();
  }

  @Test
  void shouldNameTheMissingSecuritySettingsInsteadOfTimingOut() throws Exception {
    final Map<String, String> plain = names("plain");
    plain.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, KAFKA.saslBootstrapServers());
    assertThatThrownBy(() -> ensureTopics(plain))
        .isInstanceOf(KafkaException.class)
        .hasMessageContaining("speaks SASL_SSL but security.protocol is PLAINTEXT")
        .hasMessageContaining("set security.protocol=SASL_SSL, sasl.mechanism=SCRAM-SHA-512")
        .hasMessageContaining("sasl.jaas.config")
        .hasMessageContaining("ssl.truststore.location");

    final Map<String, String> noJaas = names("nojaas");
    noJaas.putAll(KAFKA.saslWithoutCredentials());
    assertThatThrownBy(() -> ensureTopics(noJaas))
        .isInstanceOf(KafkaException.class)
        .hasMessageContaining("sasl.jaas.config");

    final Map<String, String> plainToMtls = names("plain-mtls");
    plainToMtls.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, KAFKA.mtlsBootstrapServers());
    assertThatThrownBy(() -> ensureTopics(plainToMtls))
        .isInstanceOf(KafkaException.class)
        .hasMessageContaining("speaks SSL with client certificates but security.protocol is")
        .hasMessageContaining("set security.protocol=SSL")
        .hasMessageContaining("ssl.keystore.location with the client certificate");

    final Map<String, String> noCertificate = names("nocert");
    noCertificate.putAll(KAFKA.truststore());
    noCertificate.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, KAFKA.mtlsBootstrapServers());
    noCertificate.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
    assertThatThrownBy(() -> ensureTopics(noCertificate))
        .isInstanceOf(KafkaException.class)
        .hasMessageContaining("wants a client certificate (mutual TLS): set ssl.keystore.location");

    final Cli deploy =
        deploy(configFile(Map.of("bootstrap.servers", KAFKA.saslBootstrapServers())));
    assertThat(deploy.code()).isNotZero();
    assertThat(deploy.err()).contains("set security.protocol=SASL_SSL");

    // the standalone lookup API stops with the same hint instead of never turning ready
    final Cli lookup =
        cli(
            "lookup",
            "--port=0",
            "-c",
            configFile(
                    Map.of(
                        "bootstrap.servers",
                        KAFKA.saslBootstrapServers(),
                        InSessionConfig.API_AUTH,
                        "none",
                        InSessionConfig.API_METRICS_PORT,
                        "0"))
                + "");
    assertThat(lookup.code()).isNotZero();
    assertThat(lookup.err())
        .contains("Cannot talk to Kafka at " + KAFKA.saslBootstrapServers())
        .contains("set security.protocol=SASL_SSL, sasl.mechanism=SCRAM-SHA-512");
  }

  private static void ensureTopics(final Map<String, String> settings) {
    final InSessionConfig config = InSessionConfig.of(settings);
    TopicSetup.ensureTopics(config, InSessionTopics.specs(config), Duration.ofSeconds(30));
  }

  /** Posts an event to {@code lookup}'s collector and waits for its list there; closes both. */
  private void roundTrip(final RecommenderService stream, final RecommenderService lookup)
      throws Exception {
    try (stream;
        lookup) {
      assertThat(stream.streams().awaitRunning(TIMEOUT)).isTrue();
      final String event =
          "{\"eventId\": \"e-1\", \"sessionId\": \"s-1\", \"eventType\": \"PRODUCT_VIEW\","
              + " \"itemId\": \""
              + TestModels.tinyItemId(3)
              + "\"}";
      assertThat(post(lookup.lookupApiPort(), event)).isEqualTo(202);
      final HttpJson api = new HttpJson(lookup.lookupApiPort());
      await()
          .atMost(TIMEOUT)
          .untilAsserted(
              () -> {
                // the session's own list, not the trending fallback it gets before (the default)
                final HttpJson.Answer answer =
                    api.get("/v1/sessions/s-1/recommendations?fallback=none");
                assertThat(answer.status()).isEqualTo(200);
                final JsonNode body = answer.body();
                assertThat(body.get("triggerEventId").asText()).isEqualTo("e-1");
                assertThat(body.get("items")).hasSize(5);
              });
    }
  }

  private static int post(final int port, final String json)
      throws IOException, InterruptedException {
    final HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/events"))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build();
    return HttpClient.newHttpClient()
        .send(request, HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  /** Unique topics, application id and state dir; the tiny model; ports chosen by the OS. */
  private Map<String, String> names(final String prefix) {
    final String suffix = prefix + "-" + Long.toHexString(System.nanoTime());
    final Map<String, String> settings = new HashMap<>();
    settings.put(InSessionConfig.APPLICATION_ID, "app-" + suffix);
    settings.put(InSessionConfig.WEBLOG_TOPIC, "weblog-" + suffix);
    settings.put(InSessionConfig.RECOMMENDATIONS_TOPIC, "recommendations-" + suffix);
    settings.put(InSessionConfig.DEAD_LETTER_TOPIC, "dead-letters-" + suffix);
    settings.put(InSessionConfig.DEPLOYMENTS_TOPIC, "deployments-" + suffix);
    settings.put(InSessionConfig.CATALOG_TOPIC, "catalog-" + suffix);
    settings.put(InSessionConfig.TRENDING_TOPIC, "trending-" + suffix);
    settings.put(InSessionConfig.MODEL_BUNDLE, TestModels.tinyBundleDir().toString());
    settings.put(InSessionConfig.RECOMMENDATIONS_COUNT, "5");
    settings.put(InSessionConfig.API_PORT, "0");
    settings.put(InSessionConfig.API_METRICS_PORT, "0");
    settings.put(InSessionConfig.METRICS_PORT, "0");
    // Kafka's security here; the API's own authentication is ApiSecurityIT's
    settings.put(InSessionConfig.API_AUTH, InSessionConfig.AUTH_NONE);
    settings.put(InSessionConfig.KAFKA_CONNECT_TIMEOUT_MS, "30000");
    settings.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state-" + suffix).toString());
    return settings;
  }

  /**
   * {@code key=${file:SECRETS:key}} and the FileConfigProvider settings; the value itself goes into
   * a separate secrets file (what a mounted Kubernetes Secret would be).
   */
  private Map<String, String> secretFromFile(final String key, final String value)
      throws IOException {
    final Path secrets = Files.createTempFile(dir, "secrets-", ".properties");
    final Properties properties = new Properties();
    properties.setProperty(key, value);
    try (var out = Files.newOutputStream(secrets)) {
      properties.store(out, null);
    }
    final Map<String, String> settings = new HashMap<>();
    settings.put("config.providers", "file");
    settings.put("config.providers.file.class", FILE_PROVIDER);
    settings.put(key, "${file:" + secrets + ":" + key + "}");
    return settings;
  }

  private Path configFile(final Map<String, String> settings) throws IOException {
    final Path file = Files.createTempFile(dir, "insession-", ".properties");
    final Properties properties = new Properties();
    settings.forEach(properties::setProperty);
    try (var out = Files.newOutputStream(file)) {
      properties.store(out, null);
    }
    return file;
  }

  /** {@code models publish} the tiny bundle, then {@code models deploy -c FILE} it. */
  private Cli deploy(final Path config) {
    final String registry = "--registry=" + dir.resolve("registry");
    final Cli publish =
        cli("models", "publish", "--bundle=" + TestModels.tinyBundleDir(), registry);
    assertThat(publish.code()).as(publish.err()).isZero();
    return cli("models", "deploy", "--variant=gru=" + TINY + ":100", registry, "-c", config + "");
  }

  private void assertDeploys(final Path config) {
    final Cli deploy = deploy(config);
    assertThat(deploy.code()).as(deploy.err()).isZero();
    assertThat(deploy.out()).contains("Deployed d-");
  }

  private record Cli(int code, String out, String err) {}

  private static Cli cli(final String... args) {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    final PrintStream original = System.out;
    final int code;
    // before the command line exists: subcommands may print to the System.out of that moment
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      final picocli.CommandLine command = Main.commandLine();
      command.setOut(new PrintWriter(out, true));
      command.setErr(new PrintWriter(err, true));
      code = command.execute(args);
    } finally {
      System.setOut(original);
    }
    return new Cli(code, out + captured.toString(StandardCharsets.UTF_8), err.toString());
  }
}
