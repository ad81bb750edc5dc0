package io.insession.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo model bundle and sample sessions shipped inside the jar, copied out to a directory so
 * they load like any other bundle (checksums verified).
 */
public final class DemoBundle {

  private static final String ROOT = "io/insession/demo/";
  private static final String BUNDLE = ROOT + "bundle/";

  private DemoBundle() {}

  /** Copies the demo bundle into {@code target} and returns it. */
  public static Path extractTo(final Path target) throws IOException {
    Files.createDirectories(target);
    copy(BUNDLE + "metadata.json", target.resolve("metadata.json"));
    final JsonNode metadata = new ObjectMapper().readTree(target.resolve("metadata.json").toFile());
    final List<String> files = new ArrayList<>();
    metadata.path("files").fieldNames().forEachRemaining(files::add);
    for (final String file : files) {
      copy(BUNDLE + file, target.resolve(file));
    }
    return target;
  }

  /** The sample sessions (GRU4Rec TSV) as a stream; the caller closes it. */
  public static InputStream sessions() throws IOException {
    return open(ROOT + "sessions.tsv");
  }

  private static void copy(final String resource, final Path target) throws IOException {
    try (InputStream in = open(resource)) {
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static InputStream open(final String resource) throws IOException {
    final InputStream in = DemoBundle.class.getClassLoader().getResourceAsStream(resource);
    if (in == null) {
      throw new IOException("demo resource missing from the jar: " + resource);
    }
    return in;
  }
}
