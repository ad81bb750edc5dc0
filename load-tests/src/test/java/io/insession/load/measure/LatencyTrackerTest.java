package io.insession.load.measure;

import static org.assertj.core.api.Assertions.assertThat;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatencyTrackerTest {

  private static final long MS = 1_000_000L;

  @Test
  void shouldMatchAListToItsTriggerEvent() {
    final LatencyTracker tracker = new LatencyTracker();
    tracker.sent("e1", 100 * MS);
    tracker.sent("e2", 110 * MS);
    assertThat(tracker.received("e2", 130 * MS, false)).isTrue();
    assertThat(tracker.received("e1", 150 * MS, true)).isTrue();
    final Histogram micros = tracker.takeInterval();
    assertThat(micros.getTotalCount()).isEqualTo(2);
    assertThat(micros.getMinValue()).isBetween(19_900L, 20_100L);
    assertThat(micros.getMaxValue()).isBetween(49_900L, 50_100L);
    assertThat(tracker.matched()).isEqualTo(2);
    assertThat(tracker.fallbacks()).isEqualTo(1);
    assertThat(tracker.pending()).isZero();
  }

  @Test
  void shouldCountListsOfUnknownEventsAndDuplicatesAsUnmatched() {
    final LatencyTracker tracker = new LatencyTracker();
    tracker.sent("e1", 0);
    assertThat(tracker.received("other", 5 * MS, false)).isFalse();
    assertThat(tracker.received("e1", 5 * MS, false)).isTrue();
    assertThat(tracker.received("e1", 6 * MS, false)).isFalse();
    assertThat(tracker.unmatched()).isEqualTo(2);
    assertThat(tracker.matched()).isEqualTo(1);
  }

  @Test
  void shouldKeepEventsWithoutAListPending() {
    final LatencyTracker tracker = new LatencyTracker();
    tracker.sent("e1", 0);
    tracker.sent("e2", 0);
    tracker.received("e1", MS, false);
    assertThat(tracker.sent()).isEqualTo(2);
    assertThat(tracker.pending()).isEqualTo(1);
  }

  @Test
  void shouldSplitIntervalsAndAddThemToTheTotal() {
    final LatencyTracker tracker = new LatencyTracker();
    tracker.sent("a", 0);
    tracker.received("a", 10 * MS, false);
    assertThat(tracker.takeInterval().getTotalCount()).isEqualTo(1);
    tracker.sent("b", 0);
    tracker.received("b", 30 * MS, false);
    final Histogram second = tracker.takeInterval();
    assertThat(second.getTotalCount()).isEqualTo(1);
    assertThat(second.getMinValue()).isGreaterThan(29_000);
    assertThat(tracker.total().getTotalCount()).isEqualTo(2);
  }

  @Test
  void shouldSummariseInMilliseconds() {
    final Histogram micros = new Histogram(3_600_000_000L, 3);
    for (int i = 1; i <= 1000; i++) {
      micros.recordValue(i * 1000L);
    }
    final LatencySummary summary = LatencySummary.ofMicros(micros);
    assertThat(summary.count()).isEqualTo(1000);
    assertThat(summary.p50Ms()).isBetween(499.0, 501.0);
    assertThat(summary.p99Ms()).isBetween(989.0, 991.0);
    assertThat(summary.maxMs()).isBetween(999.0, 1001.0);
    assertThat(LatencySummary.ofMicros(new Histogram(3)).count()).isZero();
  }
}
