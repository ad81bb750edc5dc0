package io.insession.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.insession.cli.Main;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * No Docker engine runs here, so docker-compose.yml is checked by construction: the services and
 * images, published ports, that bind mounts exist in the repository, and that every app service's
 * command is a valid invocation of the InSession CLI. (SnakeYAML resolves the anchors and merge
 * keys as docker compose does.)
 */
class DockerComposeTest {

  private static Path root;
  private static Map<String, Object> services;
  private static Map<String, Object> volumes;

  @BeforeAll
  static void read() throws IOException {
    root = Repository.root();
    try (Reader in = Files.newBufferedReader(root.resolve("docker-compose.yml"))) {
      final Map<String, Object> compose = new Yaml().load(in);
      services = map(compose.get("services"));
      volumes = map(compose.get("volumes"));
    }
  }

  @Test
  void shouldRunEveryPartOfTheStackFromKnownImages() {
    assertThat(services.keySet())
        .contains("kafka", "streams-app", "lookup-api", "prometheus", "grafana", "load-generator");
    assertThat(text(service("kafka"), "image")).startsWith("apache/kafka:");
    assertThat(text(service("prometheus"), "image")).startsWith("prom/prometheus:v2.");
    assertThat(text(service("grafana"), "image")).startsWith("grafana/grafana:");
    for (final String app : List.of("streams-app", "lookup-api")) {
      assertThat(text(map(service(app).get("build")), "dockerfile")).isEqualTo("deploy/Dockerfile");
    }
    assertThat(root.resolve("deploy/Dockerfile")).exists();
    assertThat(list(service("load-generator"), "profiles")).containsExactly("load");
  }

  @Test
  void shouldPublishTheApiMetricsPrometheusAndGrafanaPortsOnce() {
    // no keys in the local set-up: published on this machine only
    assertThat(list(service("lookup-api"), "ports")).contains("127.0.0.1:8080:8080");
    assertThat(list(service("streams-app"), "ports")).contains("127.0.0.1:8081:8081");
    assertThat(list(service("prometheus"), "ports")).contains("9090:9090");
    assertThat(list(service("grafana"), "ports")).contains("3000:3000");
    final Set<String> hostPorts = new HashSet<>();
    for (final String name : services.keySet()) {
      for (final String port : list(service(name), "ports")) {
        // HOST:CONTAINER or ADDRESS:HOST:CONTAINER
        final String[] parts = port.split(":");
        assertThat(hostPorts.add(parts[parts.length - 2])).as("host port of " + port).isTrue();
      }
    }
  }

  @Test
  void shouldMountOnlyPathsThatExistAndDeclaredVolumes() {
    for (final String name : services.keySet()) {
      for (final String volume : list(service(name), "volumes")) {
        final String source = volume.split(":")[0];
        if (source.startsWith("./")) {
          // sources of the repository must exist; build outputs (target/) come with the build
          if (!source.contains("/target")) {
            assertThat(root.resolve(source)).as(name + " mounts " + source).exists();
          }
        } else if (!source.startsWith("../")) {
          assertThat(volumes).as(name + " uses volume " + source).containsKey(source);
        }
      }
    }
    assertThat(root.resolve("deploy/prometheus/prometheus.yml")).exists();
    assertThat(root.resolve("deploy/grafana/dashboards/insession.json")).exists();
  }

  @Test
  void shouldStartTheAppServicesWithValidCliInvocations() {
    for (final String app : List.of("streams-app", "lookup-api")) {
      final List<String> args = list(service(app), "command");
      assertThat(args).as(app + " command").isNotEmpty();
      try {
        final CommandLine.ParseResult parsed =
            Main.commandLine().parseArgs(args.toArray(String[]::new));
        assertThat(parsed.hasSubcommand()).as(app + " names a subcommand").isTrue();
        assertThat(parsed.subcommand().commandSpec().name()).isIn("run", "lookup");
      } catch (ParameterException e) {
        throw new AssertionError(app + ": invalid command " + args + ": " + e.getMessage(), e);
      }
    }
    assertThat(map(service("streams-app").get("environment"))).containsKey("KAFKA_STATE_DIR");
  }

  @Test
  void shouldRunTheKafkaVersionTheTestsUse() throws IOException {
    final Matcher version =
        Pattern.compile("<kafka\\.version>([^<]+)</kafka\\.version>")
            .matcher(Files.readString(root.resolve("pom.xml")));
    assertThat(version.find()).as("kafka.version in the root pom").isTrue();

    assertThat(text(service("kafka"), "image")).isEqualTo("apache/kafka:" + version.group(1));
  }

  @Test
  void shouldSetTheApplicationIdOnlyThroughInSessionsKey() {
    for (final String app : List.of("streams-app", "lookup-api")) {
      assertThat(map(service(app).get("environment"))).doesNotContainKey("KAFKA_APPLICATION_ID");
    }
  }

  private static Map<String, Object> service(final String name) {
    assertThat(services).containsKey(name);
    return map(services.get(name));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(final Object node) {
    return node == null ? Map.of() : (Map<String, Object>) node;
  }

  private static String text(final Map<String, Object> node, final String key) {
    return String.valueOf(node.get(key));
  }

  private static List<String> list(final Map<String, Object> node, final String key) {
    final List<String> values = new ArrayList<>();
    if (node.get(key) instanceof List<?> items) {
      items.forEach(item -> values.add(String.valueOf(item)));
    }
    return values;
  }
}
