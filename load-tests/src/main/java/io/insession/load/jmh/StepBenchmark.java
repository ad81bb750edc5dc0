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
 * {@code OnnxGruScorer.step}: one event, a batch of one, exactly what the topology calls per event
 * today (tensor building, the ONNX Runtime call, decoding to item ids).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class StepBenchmark {

  /** Bundle directory (relative to the working directory, or absolute). */
  @Param(ScorerState.DEFAULT_BUNDLE)
  public String bundle;

  private OnnxGruScorer scorer;
  private List<StepRequest> requests;
  private int next;

  @Setup
  public void setUp() {
    scorer = ScorerState.scorer(ScorerState.bundle(bundle));
    requests = ScorerState.requests(scorer, 256, 42);
  }

  @TearDown
  public void tearDown() {
    scorer.close();
  }

  @Benchmark
  public StepResult step() {
    next = (next + 1) & 255;
    return scorer.step(requests.get(next));
  }
}
