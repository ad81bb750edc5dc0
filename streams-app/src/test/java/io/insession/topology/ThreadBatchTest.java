package io.insession.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.insession.testing.TestEvents;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ThreadBatchTest {

  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  private final ThreadBatch batch = new ThreadBatch();

  @Test
  void shouldBeDueWhenFullOrWhenItsOldestEventHasWaitedTheDelay() {
    assertThat(batch.due(1_000, 2, 5)).as("empty").isFalse();
    batch.add(new ThreadBatch.Entry(null, 0, TestEvents.view("s1", "e1", "i1", T0)), 1_000);
    assertThat(batch.due(1_004, 2, 5)).isFalse();
    assertThat(batch.due(1_005, 2, 5)).as("waited 5 ms").isTrue();
    batch.add(new ThreadBatch.Entry(null, 1, TestEvents.view("s2", "e2", "i2", T0)), 1_004);
    assertThat(batch.due(1_004, 2, 5)).as("full").isTrue();
  }

  @Test
  void shouldHandOutEveryEventInArrivalOrderAndStartAFreshDelayAfterwards() {
    batch.add(new ThreadBatch.Entry(null, 7, TestEvents.view("s1", "e1", "i1", T0)), 1_000);
    batch.add(new ThreadBatch.Entry(null, 3, TestEvents.view("s2", "e2", "i2", T0)), 1_001);

    assertThat(batch.takeAll()).extracting(ThreadBatch.Entry::key).containsExactly(7L, 3L);
    assertThat(batch.size()).isZero();
    batch.add(new ThreadBatch.Entry(null, 8, TestEvents.view("s1", "e3", "i3", T0)), 2_000);
    assertThat(batch.due(2_004, 10, 5)).as("the delay restarts with the new batch").isFalse();
  }
}
