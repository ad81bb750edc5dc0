package io.insession.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The Kubernetes manifests under deploy/kubernetes, read as the API server would. */
class KubernetesManifestsTest {

  /** Every object of every manifest, with the file it came from. */
  private static final List<Map.Entry<Path, Map<String, Object>>> OBJECTS = new ArrayList<>();

  @BeforeAll
  static void read() throws IOException {
    final Path dir = Repository.root().resolve("deploy/kubernetes");
    final List<Path> manifests;
    try (Stream<Path> files = Files.list(dir)) {
      manifests = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
    for (final Path manifest : manifests) {
      try (Reader in = Files.newBufferedReader(manifest)) {
        for (final Object document : new Yaml().loadAll(in)) {
          if (document != null) {
            OBJECTS.add(Map.entry(dir.relativize(manifest), map(document)));
          }
        }
      }
    }
  }

  @Test
  void shouldTurnServiceLinksOffInEveryPodSpec() {
    final List<String> workloads = new ArrayList<>();
    for (final Map.Entry<Path, Map<String, Object>> object : OBJECTS) {
      final Map<String, Object> template = map(map(object.getValue().get("spec")).get("template"));
      if (!template.isEmpty()) {
        final String name = object.getKey() + " " + object.getValue().get("kind");
        workloads.add(name);
        assertThat(map(template.get("spec")).get("enableServiceLinks"))
            .as(name + ": service links put INSESSION_*_SERVICE_HOST etc. into the pod")
            .isEqualTo(false);
      }
    }
    assertThat(workloads).as("pod templates found").hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void shouldSetTheApplicationIdOnlyThroughInSessionsKey() {
    final List<Object> applicationIds = new ArrayList<>();
    for (final Map.Entry<Path, Map<String, Object>> object : OBJECTS) {
      if ("ConfigMap".equals(object.getValue().get("kind"))) {
        final Map<String, Object> data = map(object.getValue().get("data"));
        assertThat(data).doesNotContainKey("KAFKA_APPLICATION_ID");
        if (data.containsKey("INSESSION_APPLICATION_ID")) {
          applicationIds.add(data.get("INSESSION_APPLICATION_ID"));
        }
      }
    }
    assertThat(applicationIds).as("one application id for the streams app").hasSize(1);
  }

  @Test
  void shouldConnectBothWorkloadsOverSaslSslWithTheirOwnSecretMountedAsAFile() throws IOException {
    final Map<String, Object> kafka = configMap("insession-kafka");
    assertThat(kafka)
        .containsEntry("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
        .containsEntry("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
        .containsEntry("KAFKA_CONFIG_PROVIDERS", "file")
        .containsEntry(
            "KAFKA_CONFIG_PROVIDERS_FILE_CLASS",
            "org.apache.kafka.common.config.provider.FileConfigProvider");
    final String secretsDir = "/etc/insession/kafka";
    assertThat(kafka.get("KAFKA_SASL_JAAS_CONFIG"))
        .isEqualTo("${file:" + secretsDir + "/kafka.properties:sasl.jaas.config}");
    assertThat(kafka.get("KAFKA_SSL_TRUSTSTORE_PASSWORD"))
        .isEqualTo("${file:" + secretsDir + "/kafka.properties:truststore.password}");
    final String truststore = String.valueOf(kafka.get("KAFKA_SSL_TRUSTSTORE_LOCATION"));
    final String truststoreDir = truststore.substring(0, truststore.lastIndexOf('/'));
    for (final Map.Entry<Path, Map<String, Object>> object : OBJECTS) {
      if ("ConfigMap".equals(object.getValue().get("kind"))) {
        assertThat(map(object.getValue().get("data")).values())
            .as(object.getKey() + ": no secret in a ConfigMap")
            .noneMatch(
                v ->
                    String.valueOf(v).contains("password=")
                        || v.toString().contains("LoginModule"));
      }
    }

    final List<String> secrets = new ArrayList<>();
    for (final String workload : List.of("insession-streams", "insession-lookup")) {
      final Map<String, Object> spec = podSpec(workload);
      final Map<String, Object> container = map(list(spec.get("containers")).get(0));
      assertThat(list(container.get("envFrom")))
          .as(workload + " gets the Kafka settings")
          .anyMatch(e -> "insession-kafka".equals(map(map(e).get("configMapRef")).get("name")));
      assertThat(String.valueOf(container.get("args")) + container.get("command"))
          .as(workload + ": no secret on the command line")
          .doesNotContain("sasl.jaas.config")
          .doesNotContain("password");
      final String secret = secretMountedAt(spec, container, secretsDir, workload);
      secrets.add(secret);
      assertThat(secretMountedAt(spec, container, truststoreDir, workload))
          .isEqualTo("insession-kafka-tls");
    }
    assertThat(secrets)
        .as("a principal of its own for each workload (docs/security-kafka.md, ACLs)")
        .containsExactly("insession-kafka-stream", "insession-kafka-lookup");

    // kustomize makes each Secret from a git-ignored file that has a committed .example
    final Path dir = Repository.root().resolve("deploy/kubernetes");
    final String kustomization = Files.readString(dir.resolve("kustomization.yaml"));
    final String gitignore = Files.readString(Repository.root().resolve(".gitignore"));
    for (final String file : List.of("kafka-stream.properties", "kafka-lookup.properties")) {
      assertThat(kustomization).contains("kafka.properties=" + file);
      assertThat(gitignore).contains("deploy/kubernetes/" + file);
      assertThat(dir.resolve(file + ".example")).exists();
      assertThat(Files.readString(dir.resolve(file + ".example")))
          .contains("sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule")
          .contains("truststore.password=");
    }
    assertThat(kustomization).contains("truststore.p12=kafka-truststore.p12");
    assertThat(gitignore).contains("deploy/kubernetes/kafka-truststore.p12");
  }

  @Test
  void shouldGiveEachStreamsPodItsNameAsItsStaticInstanceIdAndLeaveTheGroupOnSigterm() {
    final Map<String, Object> container =
        map(list(podSpec("insession-streams").get("containers")).get(0));
    final List<Map<String, Object>> env =
        list(container.get("env")).stream().map(KubernetesManifestsTest::map).toList();
    assertThat(env)
        .as("INSESSION_INSTANCE_ID from the pod name (docs/high-availability.md)")
        .anyMatch(
            e ->
                "INSESSION_INSTANCE_ID".equals(e.get("name"))
                    && "metadata.name"
                        .equals(map(map(e.get("valueFrom")).get("fieldRef")).get("fieldPath")));
    assertThat(env)
        .as("one spelling of the instance id; a clean stop leaves the group (the default)")
        .noneMatch(e -> "KAFKA_GROUP_INSTANCE_ID".equals(e.get("name")))
        .noneMatch(e -> "INSESSION_STREAMS_LEAVE_GROUP_ON_CLOSE".equals(e.get("name")));
    assertThat(configMap("insession-streams"))
        .doesNotContainKeys("KAFKA_GROUP_INSTANCE_ID", "INSESSION_STREAMS_LEAVE_GROUP_ON_CLOSE");
  }

  private static Map<String, Object> configMap(final String name) {
    return OBJECTS.stream()
        .map(Map.Entry::getValue)
        .filter(o -> "ConfigMap".equals(o.get("kind")))
        .filter(o -> name.equals(map(o.get("metadata")).get("name")))
        .map(o -> map(o.get("data")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no ConfigMap " + name));
  }

  private static Map<String, Object> podSpec(final String workload) {
    return OBJECTS.stream()
        .map(Map.Entry::getValue)
        .filter(o -> workload.equals(map(o.get("metadata")).get("name")))
        .map(o -> map(map(map(o.get("spec")).get("template")).get("spec")))
        .filter(spec -> !spec.isEmpty())
        .findFirst()
        .orElseThrow(() -> new AssertionError("no workload " + workload));
  }

  /** The name of the Secret that {@code container} has mounted read-only at {@code path}. */
  private static String secretMountedAt(
      final Map<String, Object> spec,
      final Map<String, Object> container,
      final String path,
      final String workload) {
    final Map<String, Object> mount =
        list(container.get("volumeMounts")).stream()
            .map(KubernetesManifestsTest::map)
            .filter(m -> path.equals(m.get("mountPath")))
            .findFirst()
            .orElseThrow(() -> new AssertionError(workload + " mounts nothing at " + path));
    assertThat(mount.get("readOnly")).as(workload + " " + path).isEqualTo(true);
    final Object secretName =
        list(spec.get("volumes")).stream()
            .map(KubernetesManifestsTest::map)
            .filter(v -> mount.get("name").equals(v.get("name")))
            .map(v -> map(v.get("secret")).get("secretName"))
            .findFirst()
            .orElse(null);
    assertThat(secretName).as(workload + ": a Secret at " + path).isNotNull();
    return secretName.toString();
  }

  private static List<Object> list(final Object node) {
    return node instanceof List<?> l ? new ArrayList<>(l) : List.of();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(final Object node) {
    return node instanceof Map<?, ?> ? (Map<String, Object>) node : Map.of();
  }
}
