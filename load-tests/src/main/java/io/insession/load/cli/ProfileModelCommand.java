package io.insession.load.cli;

import io.insession.load.jmh.OrtOpProfile;
import io.insession.scoring.ModelBundle;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code profile-model}: GRU step vs catalog scoring, from ONNX Runtime's node profiler. */
@Command(
    name = "profile-model",
    mixinStandardHelpOptions = true,
    description = {
      "Split one model call into the GRU step (embedding + cell), the catalog scoring + top-K",
      "and ONNX Runtime's framework overhead, with ONNX Runtime's per-node profiler."
    })
final class ProfileModelCommand implements Callable<Integer> {

  @Option(names = "--bundle", paramLabel = "DIR", description = "Default: the tiny test bundle.")
  Path bundle;

  @Option(names = "--batch", split = ",", description = "Batch sizes (default ${DEFAULT-VALUE}).")
  List<Integer> batches = List.of(1, 32);

  @Option(names = "--calls", description = "Calls per batch size (default ${DEFAULT-VALUE}).")
  int calls = 2000;

  @Override
  public Integer call() throws Exception {
    final ModelBundle model =
        ModelBundle.load(bundle == null ? Paths.tinyBundle() : bundle.toAbsolutePath());
    System.out.printf(
        "model %s/%s: %d items, hidden %d, top_k %d%n",
        model.name(), model.version(), model.numItems(), model.hiddenSize(), model.topK());
    for (final int batch : batches) {
      final int scaled = Math.max(100, calls / Math.max(1, batch / 8));
      System.out.print(
          OrtOpProfile.measure(
                  model, batch, scaled / 10, scaled, Path.of(System.getProperty("java.io.tmpdir")))
              .table());
    }
    return 0;
  }
}
