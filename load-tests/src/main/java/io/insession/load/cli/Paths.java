package io.insession.load.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Default locations, relative to the repository root ({@code -Dinsession.home}, set by the script).
 */
final class Paths {

  private Paths() {}

  /** The repository root: {@code insession.home}, else the nearest parent holding streams-app/. */
  static Path home() {
    final String property = System.getProperty("insession.home");
    if (property != null && !property.isBlank()) {
      return Path.of(property).toAbsolutePath();
    }
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      if (Files.isDirectory(dir.resolve("streams-app"))) {
        return dir;
      }
      dir = dir.getParent();
    }
    return Path.of("").toAbsolutePath();
  }

  /** The app's jar as {@code ./insession} builds it. */
  static Path appJar() {
    return home().resolve("streams-app/target/insession.jar");
  }

  /** The tiny test bundle (2,933 items, hidden 16). */
  static Path tinyBundle() {
    return home().resolve("streams-app/src/test/resources/bundles/tiny");
  }

  /** The yoochoose 100k test sessions: the data the tiny bundle was trained for. */
  static Path defaultSessions() {
    return home().resolve("../shared/data/yoochoose/yoochoose-clicks-100k_test.txt").normalize();
  }
}
