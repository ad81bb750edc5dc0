package io.insession.scoring;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The GRU4Rec session model served by ONNX Runtime: one GRU step per event, the hidden state as the
 * session's scorer state (see {@link HiddenStateCodec}), the model's top-K as candidates.
 *
 * <p>The ONNX session is created once and checked against the bundle's metadata before the first
 * event; it is thread-safe and shared by all stream threads. Each call builds its input tensors
 * ({@link GruInputs}), runs the session with every tensor and the result closed at once, and
 * decodes the outputs ({@link GruOutputs}). {@link #stepAll} sends a whole batch in one ONNX
 * Runtime call — for an index-search (IVF) bundle, in as few calls as keep the rows the graph
 * gathers under {@link Retrieval#GATHER_BYTES_PER_CALL} ({@link Retrieval#sessionsPerCall}).
 *
 * <p>A repeat-aware model ({@link ModelBundle#recentItems()} R > 0) also gets the session's recent
 * items: the event's item, then {@link StepRequest#recentItems()} from the most recent back, R in
 * all, as model indices with −1 for unknown items and for padding (a session that remembers fewer
 * items is padded; see {@link #rememberedItemsNeeded()}).
 *
 * <p>An event whose item the model does not know is not sent to ONNX Runtime: its state is returned
 * unchanged, {@code itemKnown} is false and the candidates are the popularity fallback — also when
 * the session already has a state. (Re-scoring from the unchanged state would need a model output
 * without a step, which the bundle format does not have.)
 */
public final class OnnxGruScorer implements SessionScorer {

  private static final Logger LOG = LoggerFactory.getLogger(OnnxGruScorer.class);

  private final ModelBundle bundle;
  private final OrtEnvironment environment;
  private final OrtSession session;
  private final HiddenStateCodec codec;
  private final PopularityScorer popularity;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final int sessionsPerCall;

  private OnnxGruScorer(
      final ModelBundle bundle,
      final OrtEnvironment environment,
      final OrtSession session,
      final long gatherBytesPerCall) {
    this.bundle = bundle;
    this.sessionsPerCall =
        bundle.retrieval().sessionsPerCall(bundle.hiddenSize(), gatherBytesPerCall);
    this.environment = environment;
    this.session = session;
    this.codec = new HiddenStateCodec(bundle.hiddenSize(), bundle.modelInfo());
    this.popularity = PopularityScorer.fromBundle(bundle);
  }

  /**
   * Creates the ONNX session for a verified bundle and checks the graph against its metadata.
   *
   * @throws InvalidModelBundleException when ONNX Runtime cannot load model.onnx or its inputs and
   *     outputs differ from metadata.json (the message names the tensor and both shapes or types)
   */
  public static OnnxGruScorer create(final ModelBundle bundle, final OnnxRuntime runtime) {
    return create(bundle, runtime, Retrieval.GATHER_BYTES_PER_CALL);
  }

  /**
   * {@link #create(ModelBundle, OnnxRuntime)} with another budget of gathered candidate rows per
   * ONNX Runtime call of an index search ({@link Retrieval#sessionsPerCall}); exact bundles ignore
   * it.
   */
  public static OnnxGruScorer create(
      final ModelBundle bundle, final OnnxRuntime runtime, final long gatherBytesPerCall) {
    Objects.requireNonNull(bundle, "bundle");
    Objects.requireNonNull(runtime, "runtime");
    final OrtSession session;
    try {
      session = runtime.createSession(bundle.modelFile());
    } catch (final OrtException e) {
      throw new InvalidModelBundleException(
          ModelBundle.MODEL_FILE + ": ONNX Runtime cannot load it: " + e.getMessage(), e);
    }
    try {
      ModelSignature.check(session.getInputInfo(), session.getOutputInfo(), bundle.metadata());
    } catch (final OrtException e) {
      closeQuietly(session);
      throw new InvalidModelBundleException(
          ModelBundle.MODEL_FILE + ": cannot read its inputs and outputs: " + e.getMessage(), e);
    } catch (final RuntimeException e) {
      closeQuietly(session);
      throw e;
    }
    LOG.info(
        "Serving {}/{} with ONNX Runtime on {}: {} items, hidden size {}, top_k {}, retrieval {}",
        bundle.name(),
        bundle.version(),
        runtime.effectiveDevice().settingValue(),
        bundle.numItems(),
        bundle.hiddenSize(),
        bundle.topK(),
        bundle.retrieval().describe());
    return new OnnxGruScorer(bundle, runtime.environment(), session, gatherBytesPerCall);
  }

  @Override
  public ModelInfo model() {
    return bundle.modelInfo();
  }

  /** The bundle this scorer serves. */
  public ModelBundle bundle() {
    return bundle;
  }

  /**
   * How many earlier items a session must remember for this model to see all it reads: R − 1 for a
   * repeat-aware model (the event's own item is the R-th), 0 for a plain one.
   */
  public int rememberedItemsNeeded() {
    return Math.max(0, bundle.recentItems() - 1);
  }

  /** The codec of this model's state bytes. */
  public HiddenStateCodec stateCodec() {
    return codec;
  }

  /** One event: a batch of one. */
  @Override
  public StepResult step(final StepRequest request) {
    return stepAll(List.of(request)).get(0);
  }

  /**
   * Many events of different sessions in one ONNX Runtime call (requests with unknown items are not
   * sent); results in request order.
   *
   * @throws IllegalArgumentException when a state has the wrong length for this model
   * @throws ScoringException when ONNX Runtime fails
   */
  @Override
  public List<StepResult> stepAll(final List<StepRequest> requests) {
    if (requests.size() <= sessionsPerCall) {
      return stepCall(requests);
    }
    final List<StepResult> results = new ArrayList<>(requests.size());
    for (int from = 0; from < requests.size(); from += sessionsPerCall) {
      results.addAll(
          stepCall(requests.subList(from, Math.min(requests.size(), from + sessionsPerCall))));
    }
    return results;
  }

  /** The most sessions one ONNX Runtime call carries (see {@link Retrieval#sessionsPerCall}). */
  public int sessionsPerCall() {
    return sessionsPerCall;
  }

  private List<StepResult> stepCall(final List<StepRequest> requests) {
    final int[] itemIndices = new int[requests.size()];
    int known = 0;
    for (int i = 0; i < requests.size(); i++) {
      final StepRequest request = requests.get(i);
      codec.requireFits(request.state());
      final OptionalInt index = bundle.indexOf(request.itemId());
      itemIndices[i] = index.orElse(-1);
      if (index.isPresent()) {
        known++;
      }
    }
    final GruInputs inputs = new GruInputs(known, bundle.hiddenSize(), bundle.recentItems());
    for (int i = 0; i < requests.size(); i++) {
      if (itemIndices[i] >= 0) {
        final StepRequest request = requests.get(i);
        inputs.add(itemIndices[i], request.state(), codec, request.recentItems(), bundle::indexOf);
      }
    }
    final GruOutputs outputs = known == 0 ? null : run(inputs);
    final List<StepResult> results = new ArrayList<>(requests.size());
    int row = 0;
    for (int i = 0; i < requests.size(); i++) {
      if (itemIndices[i] < 0) {
        results.add(new StepResult(requests.get(i).state(), fallback(bundle.topK()), false));
      } else {
        results.add(new StepResult(outputs.newState(row, codec), decode(outputs, row), true));
        row++;
      }
    }
    return results;
  }

  /**
   * The most popular training items; scores are shares of all training clicks (see {@link
   * PopularityScorer}), not GRU scores.
   */
  @Override
  public List<Candidate> fallback(final int count) {
    return popularity.fallback(count);
  }

  /** Closes this model's ONNX session (once); the shared environment stays open. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        session.close();
      } catch (final OrtException e) {
        throw new ScoringException(describe() + ": closing the ONNX session failed", e);
      }
    }
  }

  /** Runs the step model on a full batch; per-call tensors and the result are closed here. */
  GruOutputs run(final GruInputs inputs) {
    if (closed.get()) {
      throw new IllegalStateException(describe() + ": scorer is closed");
    }
    try (OnnxTensor items =
            OnnxTensor.createTensor(
                environment, LongBuffer.wrap(inputs.itemIndices()), inputs.itemShape());
        OnnxTensor hidden =
            OnnxTensor.createTensor(
                environment, FloatBuffer.wrap(inputs.hidden()), inputs.hiddenShape());
        OnnxTensor recent =
            inputs.hasRecentItems()
                ? OnnxTensor.createTensor(
                    environment, LongBuffer.wrap(inputs.recentItems()), inputs.recentShape())
                : null;
        OrtSession.Result result = session.run(feeds(items, hidden, recent))) {
      return GruOutputs.read(result, inputs.rows(), bundle.hiddenSize(), bundle.topK());
    } catch (final OrtException e) {
      throw new ScoringException(
          describe() + ": ONNX Runtime step failed for a batch of " + inputs.rows(), e);
    } catch (final IllegalStateException e) {
      throw new ScoringException(
          describe() + ": unexpected model output for a batch of " + inputs.rows(), e);
    }
  }

  private static Map<String, OnnxTensor> feeds(
      final OnnxTensor items, final OnnxTensor hidden, final OnnxTensor recent) {
    return recent == null
        ? Map.of(StepModelContract.ITEM_IDX, items, StepModelContract.HIDDEN, hidden)
        : Map.of(
            StepModelContract.ITEM_IDX,
            items,
            StepModelContract.HIDDEN,
            hidden,
            StepModelContract.RECENT_ITEMS,
            recent);
  }

  private List<Candidate> decode(final GruOutputs outputs, final int row) {
    try {
      return outputs.candidates(row, bundle);
    } catch (final IllegalStateException e) {
      throw new ScoringException(
          describe() + ": cannot decode the model output: " + e.getMessage(), e);
    }
  }

  private String describe() {
    return "model " + bundle.name() + "/" + bundle.version();
  }

  private static void closeQuietly(final OrtSession session) {
    try {
      session.close();
    } catch (final OrtException e) {
      LOG.warn("Closing an ONNX session after a failed start failed too", e);
    }
  }

  @Override
  public String toString() {
    return "OnnxGruScorer[" + describe() + "]";
  }
}
