package io.insession.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.insession.testing.TestModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelBundleTest {

  @TempDir Path temp;

  @Test
  void shouldExposeMetadataAndVocabularyOfTheTinyBundle() {
    final ModelBundle bundle = ModelBundle.load(TestBundles.tiny());

    assertThat(bundle.name()).isEqualTo("gru4rec-tiny");
    assertThat(bundle.version()).isNotBlank();
    assertThat(bundle.modelInfo()).isEqualTo(new ModelInfo(bundle.name(), bundle.version()));
    assertThat(bundle.hiddenSize()).isEqualTo(16);
    assertThat(bundle.topK()).isEqualTo(20);
    assertThat(bundle.numItems()).isEqualTo(2933);
    assertThat(bundle.metadata().files())
        .containsOnlyKeys("model.onnx", "items.tsv", "parity.json");
    assertThat(bundle.modelFile()).isRegularFile();
  }

  @Test
  void shouldMapItemIdsToIndicesBothWays() {
    final ModelBundle bundle = ModelBundle.load(TestBundles.tiny());

    for (final int index : new int[] {0, 1, 1000, 2932}) {
      assertThat(bundle.indexOf(bundle.itemId(index))).isEqualTo(OptionalInt.of(index));
    }
    assertThat(bundle.itemId(0)).isEqualTo("214839313");
    assertThat(bundle.indexOf("no-such-item")).isEmpty();
    assertThatThrownBy(() -> bundle.itemId(2933)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void shouldListTheMostPopularItemsMostClickedFirst() {
    final ModelBundle bundle = ModelBundle.load(TestBundles.tiny());

    final List<PopularItem> top = bundle.mostPopular(5);

    assertThat(top).hasSize(5);
    assertThat(top.get(0)).isEqualTo(new PopularItem(0, "214839313", 746));
    for (int i = 1; i < top.size(); i++) {
      assertThat(top.get(i).count()).isLessThanOrEqualTo(top.get(i - 1).count());
    }
    assertThat(bundle.mostPopular(10_000)).hasSize(2933);
    assertThat(bundle.totalCount()).isPositive();
  }

  @Test
  void shouldRankTiesByModelIndex() throws IOException {
    final Path bundle = TestBundles.copyOfTiny(temp);
    writeItems(bundle, "a\t5", "b\t7", "c\t5", "d\t7");

    final List<PopularItem> top = ModelBundle.load(bundle).mostPopular(4);

    assertThat(top).extracting(PopularItem::itemId).containsExactly("b", "d", "a", "c");
  }

  @Test
  void shouldRejectAModelFileWithAFlippedByte() throws IOException {
    final Path bundle = TestBundles.copyOfTiny(temp);
    TestBundles.flipByte(bundle.resolve("model.onnx"), 1000);

    final String expected =
        new ObjectMapper()
            .readTree(bundle.resolve("metadata.json").toFile())
            .at("/files/model.onnx/sha256")
            .asText();
    assertThatThrownBy(() -> ModelBundle.load(bundle))
        .isInstanceOf(InvalidModelBundleException.class)
        .hasMessageStartingWith("model.onnx: sha256 mismatch: metadata.json says " + expected)
        .hasMessageContaining("file has ");
  }

  @Test
  void shouldRejectATruncatedFileNamingBothSizes() throws IOException {
    final Path bundle = TestBundles.copyOfTiny(temp);
    final byte[] bytes = TestBundles.read(bundle.resolve("parity.json"));
    Files.write(bundle.resolve("parity.json"), Arrays.copyOf(bytes, 100));

    assertThatThrownBy(() -> ModelBundle.load(bundle))
        .isInstanceOf(InvalidModelBundleException.class)
        .hasMessage(
            "parity.json: size mismatch: metadata.json says "
                + bytes.length
                + " bytes, file has 100");
  }

  @Test
  void shouldRejectAMissingListedFile() throws IOException {
    final Path bundle = TestBundles.copyOfTiny(temp);
    Files.delete(bundle.resolve("model.onnx"));

    assertThatThrownBy(() -> ModelBundle.load(bundle))
        .isInstanceOf(InvalidModelBundleException.class)
        .hasMessageStartingWith("model.onnx: missing");
  }

  @Test
  void shouldRejectItemsWithARowRemovedByItsChecksum() throws IOException {
    final Path bundle = TestBundles.copyOfTiny(temp);
    removeItemRow(bundle, 7);

    assertThatThrownBy(() -> ModelBundle.load(bundle))
        .isInstanceOf(InvalidModelBundleException.class)
        .hasMessageStartingWith("items.tsv: size mismatch");
  }

  @Test
  void shouldRejectItemsWithARowRemovedEvenWhenTheChecksumWasUpdated() throws IOException {
    final Path bundle = TestBundles.copyOfTiny(temp);
    removeItemRow(bundle, 7);
    TestBundles.refreshDigest(bundle, "items.tsv");

    assertThatThrownBy(() -> ModelBundle.load(bundle))
        .isInstanceOf(InvalidModelBundleException.class)
        .hasMessage("items.tsv:9: expected index 7 (rows in model-index order), got '8'");
  }

  @Test
  void shouldRejectItemsWithTheLastRowRemovedNamingNumItems() throws IOException {
    final Path bundle = TestBundles.copyOfTiny(temp);
    removeItemRow(bundle, 2932);
    TestBundles.refreshDigest(bundle, "items.tsv");

    assertThatThrownBy(() -> ModelBundle.load(bundle))
        .isInstanceOf(InvalidModelBundleException.class)
        .hasMessage("items.tsv: has 2932 item rows, but metadata.json says num_items 2933");
  }

  @Test
  void shouldRejectDuplicateItemIdsNamingTheLine() throws IOException {
    final Path bundle = TestBundles.copyOfTiny(temp);
    writeItems(bundle, "a\t5", "b\t7", "a\t5", "d\t7");

    assertThatThrownBy(() -> ModelBundle.load(bundle))
        .isInstanceOf(InvalidModelBundleException.class)
        .hasMessage("items.tsv:4: duplicate item_id 'a' (already at index 0)");
  }

  @Test
  void shouldRejectAWrongItemsHeader() throws IOException {
    final Path bundle = TestBundles.copyOfTiny(temp);
    final Path items = bundle.resolve("items.tsv");
    final String text = Files.readString(items).replaceFirst("item_id", "item");
    Files.writeString(items, text);
    TestBundles.refreshDigest(bundle, "items.tsv");

    assertThatThrownBy(() -> ModelBundle.load(bundle))
        .isInstanceOf(InvalidModelBundleException.class)
        .hasMessageStartingWith("items.tsv:1: expected header");
  }

  @Test
  void shouldRejectABadCountNamingTheLine() throws IOException {
    final Path bundle = TestBundles.copyOfTiny(temp);
    writeItems(bundle, "a\t5", "b\tmany", "c\t5", "d\t7");

    assertThatThrownBy(() -> ModelBundle.load(bundle))
        .isInstanceOf(InvalidModelBundleException.class)
        .hasMessage("items.tsv:3: count is not an integer: 'many'");
  }

  @Test
  void shouldRejectADirectoryWithoutMetadata() throws IOException {
    final Path bundle = TestBundles.copyOfTiny(temp);
    Files.delete(bundle.resolve("metadata.json"));

    assertThatThrownBy(() -> ModelBundle.load(bundle))
        .isInstanceOf(InvalidModelBundleException.class)
        .hasMessageStartingWith("metadata.json: missing in " + bundle)
        .hasMessageContaining("not a model bundle");
  }

  @Test
  void shouldRejectAPathThatIsNotADirectory() {
    assertThatThrownBy(() -> ModelBundle.load(temp.resolve("nope")))
        .isInstanceOf(InvalidModelBundleException.class)
        .hasMessageContaining("not a directory");
  }

  @Test
  void shouldRejectMetadataThatIsNotJson() throws IOException {
    final Path bundle = TestBundles.copyOfTiny(temp);
    Files.writeString(bundle.resolve("metadata.json"), "{\"format_version\": 1,");

    assertThatThrownBy(() -> ModelBundle.load(bundle))
        .isInstanceOf(InvalidModelBundleException.class)
        .hasMessageStartingWith("metadata.json: not valid JSON");
  }

  @Test
  void shouldLoadABundleWhoseMetadataCarriesTheSelfTuningRecord() {
    // model-exporter's train without --hparams adds "tuning" (docs/model-bundle.md)
    final Path bundle = TestBundles.copyOfTiny(temp);
    TestBundles.editMetadata(
        bundle,
        root -> {
          final ObjectNode tuning = root.putObject("tuning");
          tuning.put("budget_minutes", 20);
          tuning.putArray("trials").addObject().put("best_epoch", 2);
        });

    final ModelBundle loaded = ModelBundle.load(bundle);

    assertThat(loaded.numItems())
        .isEqualTo(ModelBundle.load(TestModels.tinyBundleDir()).numItems());
  }

  @Test
  void shouldRejectAnUnsupportedFormatVersion() {
    final Path bundle = TestBundles.copyOfTiny(temp);
    TestBundles.editMetadata(bundle, root -> root.put("format_version", 2));

    assertThatThrownBy(() -> ModelBundle.load(bundle))
        .isInstanceOf(InvalidModelBundleException.class)
        .hasMessage(
            "metadata.json: format_version 2 is not supported (this build reads format_version 1)");
  }

  @Test
  void shouldRefuseTheRetiredCpuDependentInt8Scheme() {
    final Path bundle = TestBundles.copyOf(temp, "tiny-int8");
    TestBundles.editMetadata(
        bundle, root -> ((ObjectNode) root.get("quantization")).put("scheme", "int8-catalog-v1"));

    assertThatThrownBy(() -> ModelBundle.load(bundle))
        .isInstanceOf(InvalidModelBundleException.class)
        .hasMessage(
            "metadata.json: quantization scheme 'int8-catalog-v1' is not supported (this build"
                + " serves int8-catalog-v2); re-quantise the float bundle with the current"
                + " model-exporter: python3 -m insession_exporter quantize --bundle FLOAT_BUNDLE"
                + " --out NEW_DIR");
  }

  @Test
  void shouldRefuseAnUnknownQuantizationScheme() {
    final Path bundle = TestBundles.copyOf(temp, "tiny-int8");
    TestBundles.editMetadata(
        bundle, root -> ((ObjectNode) root.get("quantization")).put("scheme", "int4-someday"));

    assertThatThrownBy(() -> ModelBundle.load(bundle))
        .isInstanceOf(InvalidModelBundleException.class)
        .hasMessageStartingWith(
            "metadata.json: quantization scheme 'int4-someday' is not supported");
  }

  @Test
  void shouldServeTheCurrentInt8Scheme() {
    final ModelBundle bundle = ModelBundle.load(TestBundles.named("tiny-int8"));

    assertThat(bundle.metadata().name()).isEqualTo("gru4rec-tiny-int8");
  }

  @Test
  void shouldReadTheIvfRetrievalOfAnIvfBundleAndExactOtherwise() {
    final ModelBundle bundle = ModelBundle.load(TestBundles.named("tiny-ivf"));

    assertThat(bundle.retrieval()).isEqualTo(new Retrieval("ivf", "ivf-v1", 128, 8, 35));
    assertThat(bundle.retrieval().approximate()).isTrue();
    assertThat(bundle.retrieval().candidates()).isEqualTo(280);
    assertThat(bundle.retrieval().describe())
        .isEqualTo(
            "ivf (ivf-v1: 8 of 128 lists of 35 items, 280 candidates re-ranked per session)");
    assertThat(bundle.metadata().outputs())
        .isEqualTo(ModelBundle.load(TestBundles.tiny()).metadata().outputs());
    assertThat(ModelBundle.load(TestBundles.tiny()).retrieval()).isEqualTo(Retrieval.EXACT);
    assertThat(Retrieval.EXACT.approximate()).isFalse();
  }

  @Test
  void shouldReadAnExplicitExactRetrievalAsExact() {
    final Path bundle = TestBundles.copyOfTiny(temp);
    TestBundles.editMetadata(bundle, root -> root.putObject("retrieval").put("type", "exact"));

    assertThat(ModelBundle.load(bundle).retrieval()).isEqualTo(Retrieval.EXACT);
  }

  @Test
  void shouldRefuseAnUnknownRetrievalType() {
    final Path bundle = TestBundles.copyOf(temp, "tiny-ivf");
    TestBundles.editMetadata(
        bundle, root -> ((ObjectNode) root.get("retrieval")).put("type", "hnsw"));

    assertThatThrownBy(() -> ModelBundle.load(bundle))
        .isInstanceOf(InvalidModelBundleException.class)
        .hasMessageStartingWith(
            "metadata.json: retrieval type 'hnsw' is not supported (this build serves exact and"
                + " ivf)");
  }

  @Test
  void shouldRefuseAnUnknownIvfScheme() {
    final Path bundle = TestBundles.copyOf(temp, "tiny-ivf");
    TestBundles.editMetadata(
        bundle, root -> ((ObjectNode) root.get("retrieval")).put("scheme", "ivf-v9"));

    assertThatThrownBy(() -> ModelBundle.load(bundle))
        .isInstanceOf(InvalidModelBundleException.class)
        .hasMessage(
            "metadata.json: retrieval scheme 'ivf-v9' is not supported (this build serves ivf-v1)");
  }

  @Test
  void shouldRefuseIvfSizesThatCannotFillTheTopK() {
    final Path bundle = TestBundles.copyOf(temp, "tiny-ivf");
    TestBundles.editMetadata(
        bundle, root -> ((ObjectNode) root.get("retrieval")).put("probe", 1).put("list_size", 19));

    assertThatThrownBy(() -> ModelBundle.load(bundle))
        .isInstanceOf(InvalidModelBundleException.class)
        .hasMessage(
            "metadata.json: retrieval re-ranks at most probe × list_size = 19 candidates, fewer"
                + " than top_k 20");
  }

  @Test
  void shouldRefuseAnIvfRetrievalWithoutItsSizes() {
    final Path bundle = TestBundles.copyOf(temp, "tiny-ivf");
    TestBundles.editMetadata(bundle, root -> ((ObjectNode) root.get("retrieval")).remove("lists"));

    assertThatThrownBy(() -> ModelBundle.load(bundle))
        .isInstanceOf(InvalidModelBundleException.class)
        .hasMessage("metadata.json: missing field 'retrieval.lists'");
  }

  @Test
  void shouldReadTheRecentItemsOfARepeatAwareBundle() {
    final ModelBundle bundle = ModelBundle.load(TestBundles.named("tiny-repeat"));

    assertThat(bundle.recentItems()).isEqualTo(5);
    assertThat(bundle.metadata().repeat()).isTrue();
    assertThat(bundle.metadata().inputs())
        .extracting(TensorSpec::name)
        .containsExactly("item_idx", "hidden", "recent_items");
    assertThat(ModelBundle.load(TestModels.tinyBundleDir()).recentItems()).isZero();
  }

  @Test
  void shouldRejectARepeatBundleWithoutItsRecentItemsCount() {
    final Path bundle = TestBundles.copyOf(temp, "tiny-repeat");
    TestBundles.editMetadata(bundle, root -> root.remove("recent_items"));

    assertThatThrownBy(() -> ModelBundle.load(bundle))
        .isInstanceOf(InvalidModelBundleException.class)
        .hasMessage("metadata.json: missing field 'recent_items'");
  }

  @Test
  void shouldRejectARepeatBundleWhoseRecentItemsDisagreeWithItsInput() {
    final Path bundle = TestBundles.copyOf(temp, "tiny-repeat");
    TestBundles.editMetadata(bundle, root -> root.put("recent_items", 6));

    assertThatThrownBy(() -> ModelBundle.load(bundle))
        .isInstanceOf(InvalidModelBundleException.class)
        .hasMessage(
            "metadata.json: inputs 'recent_items' has shape [batch, 5], but hidden_size 16,"
                + " recent_items 6 and top_k 20 require [batch, 6]");
  }

  @Test
  void shouldRejectARecentItemsInputWithoutTheRepeatFlag() {
    final Path bundle = TestBundles.copyOf(temp, "tiny-repeat");
    TestBundles.editMetadata(bundle, root -> root.put("repeat", false));

    assertThatThrownBy(() -> ModelBundle.load(bundle))
        .isInstanceOf(InvalidModelBundleException.class)
        .hasMessage(
            "metadata.json: inputs declares tensor 'recent_items' that format 1 does not know"
                + " without \"repeat\": true and \"recent_items\"");
  }

  @Test
  void shouldRejectARepeatFlagThatIsNotABoolean() {
    final Path bundle = TestBundles.copyOf(temp, "tiny-repeat");
    TestBundles.editMetadata(bundle, root -> root.put("repeat", "yes"));

    assertThatThrownBy(() -> ModelBundle.load(bundle))
        .isInstanceOf(InvalidModelBundleException.class)
        .hasMessage("metadata.json: field 'repeat' must be true or false, got \"yes\"");
  }

  @Test
  void shouldRejectMetadataWithoutARequiredField() {
    final Path bundle = TestBundles.copyOfTiny(temp);
    TestBundles.editMetadata(bundle, root -> root.remove("hidden_size"));

    assertThatThrownBy(() -> ModelBundle.load(bundle))
        .isInstanceOf(InvalidModelBundleException.class)
        .hasMessage("metadata.json: missing field 'hidden_size'");
  }

  @Test
  void shouldRejectMetadataWhoseHiddenSizeDisagreesWithItsTensorShapes() {
    final Path bundle = TestBundles.copyOfTiny(temp);
    TestBundles.editMetadata(bundle, root -> root.put("hidden_size", 17));

    assertThatThrownBy(() -> ModelBundle.load(bundle))
        .isInstanceOf(InvalidModelBundleException.class)
        .hasMessage(
            "metadata.json: inputs 'hidden' has shape [batch, 16], but hidden_size 17 and top_k 20"
                + " require [batch, 17]");
  }

  @Test
  void shouldRejectMetadataMissingAContractTensor() {
    final Path bundle = TestBundles.copyOfTiny(temp);
    TestBundles.editMetadata(bundle, root -> ((ArrayNode) root.get("outputs")).remove(2));

    assertThatThrownBy(() -> ModelBundle.load(bundle))
        .isInstanceOf(InvalidModelBundleException.class)
        .hasMessage("metadata.json: outputs has no tensor 'topk_items' (format 1 requires it)");
  }

  @Test
  void shouldRejectMetadataWithoutAChecksumForTheModel() {
    final Path bundle = TestBundles.copyOfTiny(temp);
    TestBundles.editMetadata(bundle, root -> ((ObjectNode) root.get("files")).remove("model.onnx"));

    assertThatThrownBy(() -> ModelBundle.load(bundle))
        .isInstanceOf(InvalidModelBundleException.class)
        .hasMessage("metadata.json: 'files' has no entry for model.onnx");
  }

  @Test
  void shouldRejectAFileEntryOutsideTheBundle() {
    final Path bundle = TestBundles.copyOfTiny(temp);
    TestBundles.editMetadata(
        bundle,
        root ->
            ((ObjectNode) root.get("files"))
                .set("../secret", root.get("files").get("items.tsv").deepCopy()));

    assertThatThrownBy(() -> ModelBundle.load(bundle))
        .isInstanceOf(InvalidModelBundleException.class)
        .hasMessageStartingWith(
            "metadata.json: 'files' entry '../secret' must be a plain file name");
  }

  @Test
  void shouldRejectTopKLargerThanTheVocabulary() {
    final Path bundle = TestBundles.copyOfTiny(temp);
    TestBundles.editMetadata(bundle, root -> root.put("top_k", 5000));

    assertThatThrownBy(() -> ModelBundle.load(bundle))
        .isInstanceOf(InvalidModelBundleException.class)
        .hasMessage("metadata.json: top_k must be between 1 and num_items (2933), got 5000");
  }

  /** Replaces items.tsv by the given "id TAB count" rows and fixes num_items and the checksum. */
  private static void writeItems(final Path bundle, final String... rows) throws IOException {
    final StringBuilder text = new StringBuilder("index\titem_id\tcount\n");
    for (int i = 0; i < rows.length; i++) {
      text.append(i).append('\t').append(rows[i]).append('\n');
    }
    Files.writeString(bundle.resolve("items.tsv"), text, StandardCharsets.UTF_8);
    TestBundles.refreshDigest(bundle, "items.tsv");
    TestBundles.editMetadata(
        bundle,
        root -> {
          root.put("num_items", rows.length);
          root.put("top_k", rows.length);
          for (final JsonNode tensor : root.get("outputs")) {
            if (!tensor.get("name").asText().equals("new_hidden")) {
              ((ArrayNode) tensor.get("shape")).set(1, rows.length);
            }
          }
        });
  }

  private static void removeItemRow(final Path bundle, final int index) throws IOException {
    final Path items = bundle.resolve("items.tsv");
    final List<String> lines = new ArrayList<>(Files.readAllLines(items, StandardCharsets.UTF_8));
    lines.remove(index + 1);
    Files.write(items, lines, StandardCharsets.UTF_8);
  }
}
