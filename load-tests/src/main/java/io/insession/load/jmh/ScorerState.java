package io.insession.load.jmh;

import io.insession.scoring.ModelBundle;
import io.insession.scoring.OnnxGruScorer;
import io.insession.scoring.OnnxRuntime;
import io.insession.scoring.OnnxRuntimeSettings;
import io.insession.scoring.StepRequest;
import io.insession.scoring.StepResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A scorer on a bundle plus prepared requests: known items, and states that are one real step old
 * (non-zero hidden states, like a session in progress). Shared by the benchmarks and the op
 * profile.
 */
final class ScorerState {

  /** Relative paths resolve against the working directory (the script runs from the repo root). */
  static final String DEFAULT_BUNDLE = "streams-app/src/test/resources/bundles/tiny";

  private ScorerState() {}

  /** The bundle at {@code location}, loaded and verified. */
  static ModelBundle bundle(final String location) {
    return ModelBundle.load(Path.of(location).toAbsolutePath());
  }

  /** The app's scorer with the app's default ONNX Runtime settings (1 intra-op thread, CPU). */
  static OnnxGruScorer scorer(final ModelBundle bundle) {
    return OnnxGruScorer.create(bundle, OnnxRuntime.create(OnnxRuntimeSettings.defaults()));
  }

  /**
   * The app's scorer with another budget of gathered candidate rows per ONNX Runtime call (index
   * bundles; {@code mebibytes} 0 = the app's default).
   */
  static OnnxGruScorer scorer(final ModelBundle bundle, final int mebibytes) {
    if (mebibytes == 0) {
      return scorer(bundle);
    }
    return OnnxGruScorer.create(
        bundle, OnnxRuntime.create(OnnxRuntimeSettings.defaults()), (long) mebibytes << 20);
  }

  /** {@code count} requests of random known items, each from a state one step old. */
  static List<StepRequest> requests(final OnnxGruScorer scorer, final int count, final long seed) {
    final ModelBundle bundle = scorer.bundle();
    final Random random = new Random(seed);
    final List<StepRequest> first = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      first.add(
          new StepRequest(
              new byte[0], List.of(), bundle.itemId(random.nextInt(bundle.numItems()))));
    }
    final List<StepResult> started = scorer.stepAll(first);
    final List<StepRequest> requests = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      requests.add(
          new StepRequest(
              started.get(i).state(),
              List.of(first.get(i).itemId()),
              bundle.itemId(random.nextInt(bundle.numItems()))));
    }
    return requests;
  }
}
