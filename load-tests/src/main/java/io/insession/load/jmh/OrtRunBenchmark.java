package io.insession.load.jmh;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.insession.scoring.ModelBundle;
import io.insession.scoring.OnnxRuntime;
import io.insession.scoring.OnnxRuntimeSettings;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The bare ONNX Runtime call of the same model and settings: input tensors built once and reused,
 * outputs not copied or decoded. {@code stepAll - run} at the same batch is the Java side of the
 * scorer (state decode, tensor creation, output copy, item-id lookup, result objects).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class OrtRunBenchmark {

  @Param(ScorerState.DEFAULT_BUNDLE)
  public String bundle;

  @Param({"1", "8", "32", "128"})
  public int batch;

  private OrtSession session;
  private OnnxTensor items;
  private OnnxTensor hidden;
  private Map<String, OnnxTensor> inputs;

  @Setup
  public void setUp() throws OrtException {
    final ModelBundle model = ScorerState.bundle(bundle);
    final OnnxRuntime runtime = OnnxRuntime.create(OnnxRuntimeSettings.defaults());
    session = runtime.createSession(model.modelFile());
    final Random random = new Random(42);
    final long[] idx = new long[batch];
    final float[] h = new float[batch * model.hiddenSize()];
    for (int i = 0; i < batch; i++) {
      idx[i] = random.nextInt(model.numItems());
    }
    for (int i = 0; i < h.length; i++) {
      h[i] = (float) (random.nextGaussian() * 0.1);
    }
    final OrtEnvironment env = runtime.environment();
    items = OnnxTensor.createTensor(env, LongBuffer.wrap(idx), new long[] {batch});
    hidden =
        OnnxTensor.createTensor(env, FloatBuffer.wrap(h), new long[] {batch, model.hiddenSize()});
    inputs = Map.of("item_idx", items, "hidden", hidden);
  }

  @TearDown
  public void tearDown() throws OrtException {
    items.close();
    hidden.close();
    session.close();
  }

  @Benchmark
  public long run() throws OrtException {
    try (OrtSession.Result result = session.run(inputs)) {
      return result.size();
    }
  }
}
