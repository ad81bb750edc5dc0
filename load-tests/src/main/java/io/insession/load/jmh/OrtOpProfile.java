package io.insession.load.jmh;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.insession.scoring.ModelBundle;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Where the time of one model call goes, from ONNX Runtime's own per-node profiler: the nodes of
 * the GRU step (item embedding lookup and the GRU cell: names under {@code /in_emb} and {@code
 * /cells}) against the catalog scoring (hidden x output embeddings, bias, TopK: every other node).
 * The session uses the app's settings (1 intra-op thread, sequential, all optimizations, no
 * spinning) plus profiling; "framework" is the wall time of {@code run()} not spent in kernels.
 */
public final class OrtOpProfile {

  /**
   * The split for one batch size.
   *
   * @param batch rows per call
   * @param calls measured calls
   * @param wallMicrosPerCall wall time of one {@code run()}, profiler on
   * @param gruMicrosPerCall kernel time of the GRU step nodes
   * @param catalogMicrosPerCall kernel time of the catalog scoring + top-K nodes
   * @param perNodeMicros kernel time per call of every node
   */
  public record Split(
      int batch,
      int calls,
      double wallMicrosPerCall,
      double gruMicrosPerCall,
      double catalogMicrosPerCall,
      Map<String, Double> perNodeMicros) {

    /** Wall time not spent in kernels: input binding, allocation, output creation. */
    public double frameworkMicrosPerCall() {
      return Math.max(0, wallMicrosPerCall - gruMicrosPerCall - catalogMicrosPerCall);
    }

    /** A short table. */
    public String table() {
      final StringBuilder b = new StringBuilder();
      b.append(
          String.format(
              Locale.ROOT,
              "batch %d, %d calls: %.1f us/call wall = GRU step %.1f us (%.0f%%) + catalog"
                  + " scoring & top-K %.1f us (%.0f%%) + framework %.1f us (%.0f%%)%n",
              batch,
              calls,
              wallMicrosPerCall,
              gruMicrosPerCall,
              100 * gruMicrosPerCall / wallMicrosPerCall,
              catalogMicrosPerCall,
              100 * catalogMicrosPerCall / wallMicrosPerCall,
              frameworkMicrosPerCall(),
              100 * frameworkMicrosPerCall() / wallMicrosPerCall));
      perNodeMicros.forEach(
          (node, micros) ->
              b.append(String.format(Locale.ROOT, "    %-40s %9.2f us%n", node, micros)));
      return b.toString();
    }
  }

  private OrtOpProfile() {}

  /** Runs {@code warmup + calls} profiled calls at {@code batch} and splits the kernel time. */
  public static Split measure(
      final ModelBundle bundle, final int batch, final int warmup, final int calls, final Path dir)
      throws OrtException, IOException {
    Files.createDirectories(dir);
    final OrtEnvironment env = OrtEnvironment.getEnvironment();
    final Path profile;
    final long wallNanos;
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      options.addConfigEntry("session.intra_op.allow_spinning", "0");
      options.addConfigEntry("session.inter_op.allow_spinning", "0");
      options.enableProfiling(dir.resolve("ort-profile-b" + batch).toString());
      try (OrtSession session = env.createSession(bundle.modelFile().toString(), options)) {
        final Random random = new Random(7);
        final long[] idx = new long[batch];
        final float[] h = new float[batch * bundle.hiddenSize()];
        for (int i = 0; i < batch; i++) {
          idx[i] = random.nextInt(bundle.numItems());
        }
        for (int i = 0; i < h.length; i++) {
          h[i] = (float) (random.nextGaussian() * 0.1);
        }
        try (OnnxTensor items =
                OnnxTensor.createTensor(env, LongBuffer.wrap(idx), new long[] {batch});
            OnnxTensor hidden =
                OnnxTensor.createTensor(
                    env, FloatBuffer.wrap(h), new long[] {batch, bundle.hiddenSize()})) {
          final Map<String, OnnxTensor> inputs = Map.of("item_idx", items, "hidden", hidden);
          for (int i = 0; i < warmup; i++) {
            session.run(inputs).close();
          }
          final long start = System.nanoTime();
          for (int i = 0; i < calls; i++) {
            session.run(inputs).close();
          }
          wallNanos = System.nanoTime() - start;
        }
        profile = Path.of(session.endProfiling());
      }
    }
    final Map<String, Double> perNode = kernelMicrosPerNode(Files.readString(profile));
    Files.deleteIfExists(profile);
    final int total = warmup + calls;
    double gru = 0;
    double catalog = 0;
    final Map<String, Double> perCall = new TreeMap<>();
    for (final Map.Entry<String, Double> node : perNode.entrySet()) {
      final double micros = node.getValue() / total;
      perCall.put(node.getKey(), Math.round(micros * 100) / 100.0);
      if (isGruStep(node.getKey())) {
        gru += micros;
      } else {
        catalog += micros;
      }
    }
    return new Split(batch, calls, wallNanos / 1e3 / calls, gru, catalog, perCall);
  }

  /** Whether a node (by name, possibly fused) belongs to the embedding lookup or the GRU cell. */
  static boolean isGruStep(final String node) {
    return node.contains("/cells") || node.contains("/in_emb") || node.contains("cells.");
  }

  /** Sum of {@code dur} (us) of every kernel event of the profile, by node name. */
  static Map<String, Double> kernelMicrosPerNode(final String profileJson) throws IOException {
    final JsonNode events = new ObjectMapper().readTree(profileJson);
    final Map<String, Double> perNode = new TreeMap<>();
    for (final JsonNode event : events) {
      final String name = event.path("name").asText();
      if ("Node".equals(event.path("cat").asText()) && name.endsWith("_kernel_time")) {
        final String node = name.substring(0, name.length() - "_kernel_time".length());
        final String op = event.path("args").path("op_name").asText("?");
        perNode.merge(node + " [" + op + "]", event.path("dur").asDouble(), Double::sum);
      }
    }
    return perNode;
  }
}
