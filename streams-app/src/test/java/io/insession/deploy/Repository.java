package io.insession.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository root, found from the working directory of the test run. */
final class Repository {

  private Repository() {}

  static Path root() {
    Path dir = Path.of("").toAbsolutePath();
    while (!Files.exists(dir.resolve("docker-compose.yml"))) {
      dir = dir.getParent();
    }
    return dir;
  }
}
