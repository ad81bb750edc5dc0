package io.insession.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.insession.testing.TestEvents;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ThreadBatchTest {

  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  private final ThreadBatch batch = new ThreadBatch();

  @AfterEach
  void emptyTheBatch() {
    // the thread's cycle outlives the test: leave nothing counted as waiting on it
    batch.done(batch.takeAll().size());
  }

  @Test
  void shouldBeDueOnceTheThreadHasBeenFreeSinceItsOldestEventJoinedWhenEager() {
    batch.add(new ThreadBatch.Entry(null, 0, TestEvents.view("s1", "e1", "i1", T0)), 1_000);
    assertThat(batch.due(1_000, 64, 60_000, true)).as("the thread is still busy").isFalse();

    assertThat(ThreadCycle.current().polling()).as("an event waits").isTrue();

    assertThat(batch.due(1_000, 64, 60_000, true)).as("eager").isTrue();
    assertThat(batch.due(1_000, 64, 60_000, false)).as("not eager: the delay").isFalse();
    batch.done(batch.takeAll().size());
    assertThat(ThreadCycle.current().polling()).as("nothing waits").isFalse();
    batch.add(new ThreadBatch.Entry(null, 1, TestEvents.view("s1", "e2", "i2", T0)), 1_000);
    assertThat(batch.due(1_000, 64, 60_000, true)).as("a new batch: busy again").isFalse();
  }

  @Test
  void shouldBeDueWhenFullOrWhenItsOldestEventHasWaitedTheDelay() {
    assertThat(batch.due(1_000, 2, 5, false)).as("empty").isFalse();
    batch.add(new ThreadBatch.Entry(null, 0, TestEvents.view("s1", "e1", "i1", T0)), 1_000);
    assertThat(batch.due(1_004, 2, 5, false)).isFalse();
    assertThat(batch.due(1_005, 2, 5, false)).as("waited 5 ms").isTrue();
    batch.add(new ThreadBatch.Entry(null, 1, TestEvents.view("s2", "e2", "i2", T0)), 1_004);
    assertThat(batch.due(1_004, 2, 5, false)).as("full").isTrue();
  }

  @Test
  void shouldHandOutEveryEventInArrivalOrderAndStartAFreshDelayAfterwards() {
    batch.add(new ThreadBatch.Entry(null, 7, TestEvents.view("s1", "e1", "i1", T0)), 1_000);
    batch.add(new ThreadBatch.Entry(null, 3, TestEvents.view("s2", "e2", "i2", T0)), 1_001);

    assertThat(batch.takeAll()).extracting(ThreadBatch.Entry::key).containsExactly(7L, 3L);
    assertThat(batch.size()).isZero();
    batch.add(new ThreadBatch.Entry(null, 8, TestEvents.view("s1", "e3", "i3", T0)), 2_000);
    assertThat(batch.due(2_004, 10, 5, false))
        .as("the delay restarts with the new batch")
        .isFalse();
  }
}
