package io.insession.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxGruScorerTest {

  private static ModelBundle bundle;
  private static OnnxRuntime runtime;
  private static OnnxGruScorer scorer;

  @TempDir Path temp;

  @BeforeAll
  static void startScorer() {
    bundle = ModelBundle.load(TestBundles.tiny());
    runtime = OnnxRuntime.create(OnnxRuntimeSettings.defaults());
    scorer = OnnxGruScorer.create(bundle, runtime);
  }

  @AfterAll
  static void closeScorer() {
    scorer.close();
  }

  @Test
  void shouldReportTheBundlesNameAndVersion() {
    assertThat(scorer.model()).isEqualTo(new ModelInfo("gru4rec-tiny", bundle.version()));
  }

  @Test
  void shouldAdvanceANewSessionAndReturnTopKCandidates() {
    final StepResult result = scorer.step(request(new byte[0], bundle.itemId(3)));

    assertThat(result.itemKnown()).isTrue();
    assertThat(result.state()).hasSize(16 * Float.BYTES);
    assertThat(result.candidates()).hasSize(bundle.topK());
    for (int k = 1; k < result.candidates().size(); k++) {
      assertThat(result.candidates().get(k).score())
          .isLessThanOrEqualTo(result.candidates().get(k - 1).score());
    }
    assertThat(result.candidates())
        .allSatisfy(c -> assertThat(bundle.indexOf(c.itemId())).isPresent());
  }

  @Test
  void shouldGiveTheSameResultsInABatchAsOneStepAtATime() {
    // a small session walk: each step feeds the previous state back, as the topology does
    final List<StepRequest> requests = new ArrayList<>();
    byte[] state = new byte[0];
    for (final int index : new int[] {0, 17, 42, 99}) {
      requests.add(request(state, bundle.itemId(index)));
      state = scorer.step(requests.get(requests.size() - 1)).state();
    }
    requests.add(request(new byte[0], "not-in-the-catalog"));
    requests.add(request(new byte[0], bundle.itemId(2932)));

    final List<StepResult> batched = scorer.stepAll(requests);

    assertThat(batched).hasSize(requests.size());
    for (int i = 0; i < requests.size(); i++) {
      final StepResult single = scorer.step(requests.get(i));
      final StepResult inBatch = batched.get(i);
      assertThat(inBatch.itemKnown()).isEqualTo(single.itemKnown());
      assertThat(inBatch.candidates())
          .extracting(Candidate::itemId)
          .containsExactlyElementsOf(single.candidates().stream().map(Candidate::itemId).toList());
      assertThat(floats(inBatch.state())).containsExactly(floats(single.state()), offset(1e-5f));
    }
  }

  @Test
  void shouldLeaveTheStateUnchangedAndFallBackForAnUnknownItem() {
    final byte[] state = scorer.step(request(new byte[0], bundle.itemId(5))).state();

    final StepResult result = scorer.step(request(state, "not-in-the-catalog"));

    assertThat(result.itemKnown()).isFalse();
    assertThat(result.state()).isEqualTo(state);
    assertThat(result.candidates()).isEqualTo(scorer.fallback(bundle.topK()));
  }

  @Test
  void shouldFallBackForAnUnknownFirstItemOfANewSession() {
    final StepResult result = scorer.step(request(new byte[0], "not-in-the-catalog"));

    assertThat(result.itemKnown()).isFalse();
    assertThat(result.state()).isEmpty();
    assertThat(result.candidates())
        .extracting(Candidate::itemId)
        .startsWith(bundle.mostPopular(3).stream().map(PopularItem::itemId).toArray(String[]::new));
  }

  @Test
  void shouldScoreTheFallbackAsShareOfTrainingClicks() {
    final List<Candidate> fallback = scorer.fallback(3);

    assertThat(fallback).hasSize(3);
    final PopularItem first = bundle.mostPopular(1).get(0);
    assertThat(fallback.get(0))
        .isEqualTo(
            new Candidate(first.itemId(), (float) ((double) first.count() / bundle.totalCount())));
    assertThat(scorer.fallback(0)).isEmpty();
    assertThatThrownBy(() -> scorer.fallback(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldNotCallTheModelForAnEmptyBatchOrOnlyUnknownItems() {
    assertThat(scorer.stepAll(List.of())).isEmpty();
    assertThat(scorer.stepAll(List.of(request(new byte[0], "x"), request(new byte[0], "y"))))
        .extracting(StepResult::itemKnown)
        .containsExactly(false, false);
  }

  @Test
  void shouldRejectAStateFromAModelWithAnotherHiddenSize() {
    final List<StepRequest> requests =
        List.of(request(new byte[0], bundle.itemId(1)), request(new byte[40], bundle.itemId(2)));

    assertThatThrownBy(() -> scorer.stepAll(requests))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "scorer state has 40 bytes, but model gru4rec-tiny/"
                + bundle.version()
                + " expects 64");
  }

  @Test
  void shouldFailAtCreationWhenMetadataDeclaresAnotherHiddenSizeThanTheModel() {
    final Path copy = TestBundles.copyOfTiny(temp);
    TestBundles.editMetadata(
        copy,
        root -> {
          root.put("hidden_size", 17);
          for (final String group : List.of("inputs", "outputs")) {
            for (final JsonNode tensor : root.get(group)) {
              final String name = tensor.get("name").asText();
              if (name.equals("hidden") || name.equals("new_hidden")) {
                ((ArrayNode) tensor.get("shape")).set(1, 17);
              }
            }
          }
        });
    final ModelBundle wrong = ModelBundle.load(copy);

    assertThatThrownBy(() -> OnnxGruScorer.create(wrong, runtime))
        .isInstanceOf(InvalidModelBundleException.class)
        .hasMessage(
            "model.onnx: input 'hidden' shape mismatch: metadata.json says [batch, 17],"
                + " model has [batch, 16]");
  }

  @Test
  void shouldFailAtCreationWhenMetadataDeclaresAnotherTopK() {
    final Path copy = TestBundles.copyOfTiny(temp);
    TestBundles.editMetadata(
        copy,
        root -> {
          root.put("top_k", 25);
          for (final JsonNode tensor : root.get("outputs")) {
            if (tensor.get("name").asText().startsWith("topk_")) {
              ((ArrayNode) tensor.get("shape")).set(1, 25);
            }
          }
        });
    final ModelBundle wrong = ModelBundle.load(copy);

    assertThatThrownBy(() -> OnnxGruScorer.create(wrong, runtime))
        .isInstanceOf(InvalidModelBundleException.class)
        .hasMessage(
            "model.onnx: output 'topk_scores' shape mismatch: metadata.json says [batch, 25],"
                + " model has [batch, 20]");
  }

  @Test
  void shouldFailAtCreationWhenTheModelIsNotOnnx() {
    final Path copy = TestBundles.copyOfTiny(temp);
    TestBundles.write(copy.resolve("model.onnx"), new byte[] {1, 2, 3, 4});
    TestBundles.refreshDigest(copy, "model.onnx");
    final ModelBundle broken = ModelBundle.load(copy);

    assertThatThrownBy(() -> OnnxGruScorer.create(broken, runtime))
        .isInstanceOf(InvalidModelBundleException.class)
        .hasMessageStartingWith("model.onnx: ONNX Runtime cannot load it");
  }

  @Test
  void shouldRefuseToStepAfterCloseAndCloseOnlyOnce() {
    final OnnxGruScorer own = OnnxGruScorer.create(bundle, runtime);
    own.close();
    own.close();

    assertThatThrownBy(() -> own.step(request(new byte[0], bundle.itemId(1))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    // the shared environment still serves the other scorer
    assertThat(scorer.step(request(new byte[0], bundle.itemId(1))).itemKnown()).isTrue();
  }

  private static StepRequest request(final byte[] state, final String itemId) {
    return new StepRequest(state, List.of(), itemId);
  }

  private static float[] floats(final byte[] state) {
    return scorer.stateCodec().decode(state);
  }
}
