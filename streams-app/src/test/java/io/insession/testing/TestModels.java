package io.insession.testing;

import io.insession.scoring.ModelBundle;
import io.insession.scoring.OnnxGruScorer;
import io.insession.scoring.OnnxRuntime;
import io.insession.scoring.OnnxRuntimeSettings;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** The real ONNX test models made by model-exporter (see src/test/resources/bundles/README.md). */
public final class TestModels {

  /** Hidden size of the tiny bundle. */
  public static final int TINY_HIDDEN_SIZE = 16;

  private static ModelBundle tiny;

  private TestModels() {}

  /** The tiny bundle's directory. */
  public static Path tinyBundleDir() {
    return bundleDir("tiny");
  }

  /**
   * The directory of a test bundle: {@code tiny}, or {@code tiny-int8} (the same model with its
   * catalog scoring in int8, made by model-exporter quantize).
   */
  public static Path bundleDir(final String name) {
    final URL url =
        TestModels.class.getClassLoader().getResource("bundles/" + name + "/metadata.json");
    if (url == null) {
      throw new IllegalStateException(
          "test bundle bundles/" + name + " is missing from test resources");
    }
    try {
      return Path.of(url.toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The tiny bundle, loaded and verified once per JVM. */
  public static synchronized ModelBundle tinyBundle() {
    if (tiny == null) {
      tiny = ModelBundle.load(tinyBundleDir());
    }
    return tiny;
  }

  /** A new GRU scorer on the tiny bundle (close it when done). */
  public static OnnxGruScorer tinyGruScorer() {
    return OnnxGruScorer.create(tinyBundle(), OnnxRuntime.create(OnnxRuntimeSettings.defaults()));
  }

  /** A new GRU scorer on the named test bundle (close it when done). */
  public static OnnxGruScorer gruScorer(final String name) {
    return OnnxGruScorer.create(
        ModelBundle.load(bundleDir(name)), OnnxRuntime.create(OnnxRuntimeSettings.defaults()));
  }

  /** The item id at a model index of the tiny bundle (index 0 is the most popular). */
  public static String tinyItemId(final int index) {
    return tinyBundle().itemId(index);
  }
}
