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

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(final Object node) {
    return node instanceof Map<?, ?> ? (Map<String, Object>) node : Map.of();
  }
}
