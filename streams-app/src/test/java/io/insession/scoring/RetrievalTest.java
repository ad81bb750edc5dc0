package io.insession.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RetrievalTest {

  @Test
  void shouldNotSplitCallsOfExactScoring() {
    assertThat(Retrieval.EXACT.sessionsPerCall(256, Retrieval.GATHER_BYTES_PER_CALL))
        .isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void shouldFitTheGatheredRowsOfEachCallIntoTheBudget() {
    // diginetica, 64 of 256 lists of 337 items: 21,568 candidates × 258 floats = 22,258,176 bytes
    final Retrieval ivf = new Retrieval("ivf", "ivf-v1", 256, 64, 337);

    assertThat(ivf.candidates()).isEqualTo(21_568);
    assertThat(ivf.sessionsPerCall(256, 256L << 20)).isEqualTo(12); // 268,435,456 / 22,258,176
    assertThat(ivf.sessionsPerCall(256, 22_258_176L)).isEqualTo(1);
    assertThat(ivf.sessionsPerCall(256, 2 * 22_258_176L - 1)).isEqualTo(1);
  }

  @Test
  void shouldCarryAtLeastOneSessionPerCallWhateverTheBudget() {
    assertThat(new Retrieval("ivf", "ivf-v1", 1024, 16, 1465).sessionsPerCall(256, 1)).isEqualTo(1);
  }
}
