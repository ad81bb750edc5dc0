package io.insession.load.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OrtOpProfileTest {

  @Test
  void shouldSumKernelTimePerNodeAndIgnoreOtherEvents() throws Exception {
    final String profile =
        "[{\"cat\":\"Session\",\"name\":\"model_run\",\"dur\":999},"
            + "{\"cat\":\"Node\",\"name\":\"/cells.0/Gemm_kernel_time\",\"dur\":3,"
            + "\"args\":{\"op_name\":\"Gemm\"}},"
            + "{\"cat\":\"Node\",\"name\":\"/cells.0/Gemm_kernel_time\",\"dur\":5,"
            + "\"args\":{\"op_name\":\"Gemm\"}},"
            + "{\"cat\":\"Node\",\"name\":\"/MatMul_fence_before\",\"dur\":0},"
            + "{\"cat\":\"Node\",\"name\":\"/TopK_kernel_time\",\"dur\":7,"
            + "\"args\":{\"op_name\":\"TopK\"}}]";
    final Map<String, Double> perNode = OrtOpProfile.kernelMicrosPerNode(profile);
    assertThat(perNode)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("/cells.0/Gemm [Gemm]", 8.0, "/TopK [TopK]", 7.0));
  }

  @Test
  void shouldTellTheGruStepFromTheCatalogScoring() {
    assertThat(OrtOpProfile.isGruStep("/in_emb/Gather [Gather]")).isTrue();
    assertThat(OrtOpProfile.isGruStep("/cells.0/Sigmoid [Sigmoid]")).isTrue();
    assertThat(OrtOpProfile.isGruStep("/MatMul [MatMul]")).isFalse();
    assertThat(OrtOpProfile.isGruStep("/TopK [TopK]")).isFalse();
  }
}
