package io.insession.load.jmh;

import io.insession.scoring.OnnxGruScorer;
import io.insession.scoring.StepRequest;
import io.insession.scoring.StepResult;
import java.util.List;
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
 * {@code OnnxGruScorer.stepAll} on batches of different sessions: one ONNX Runtime call per batch.
 * Events/s = batch / (time per call).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class StepAllBenchmark {

  @Param(ScorerState.DEFAULT_BUNDLE)
  public String bundle;

  @Param({"1", "8", "32", "128"})
  public int batch;

  /**
   * MiB of gathered candidate rows per ONNX Runtime call for index bundles (0 = the app's default).
   */
  @Param("0")
  public int gatherMiB;

  private OnnxGruScorer scorer;
  private List<StepRequest> requests;

  @Setup
  public void setUp() {
    scorer = ScorerState.scorer(ScorerState.bundle(bundle), gatherMiB);
    requests = ScorerState.requests(scorer, batch, 42);
  }

  @TearDown
  public void tearDown() {
    scorer.close();
  }

  @Benchmark
  public List<StepResult> stepAll() {
    return scorer.stepAll(requests);
  }
}
