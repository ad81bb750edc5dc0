package io.insession.experiments;

import io.insession.schemas.ExperimentKpis;
import io.insession.schemas.KpiPartial;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Adds up the tasks' partial sums of one experiment (they arrive keyed by experiment id, so every
 * partial of an experiment meets here, in one task): keeps each task's latest partial per window
 * and variant in {@value #MERGED_STORE} and, for each window a partial changed, emits the
 * experiment's KPIs for that window ({@link KpiCalculator}) keyed {@code <experiment>/all} or
 * {@code <experiment>/<window start ms>} on the compacted experiment KPIs topic. Windows older than
 * the retained ones are removed here too, with a tombstone on the topic.
 */
final class KpiMergeProcessor implements Processor<String, KpiPartial, String, ExperimentKpis> {

  static final String MERGED_STORE = "experiment-merged";

  private final ExperimentSettings settings;
  private final Clock clock;
  private ProcessorContext<String, ExperimentKpis> context;
  private KeyValueStore<String, KpiPartial> merged;

  KpiMergeProcessor(final ExperimentSettings settings, final Clock clock) {
    this.settings = settings;
    this.clock = clock;
  }

  @Override
  public void init(final ProcessorContext<String, ExperimentKpis> context) {
    this.context = context;
    this.merged = context.getStateStore(MERGED_STORE);
    context.schedule(
        Duration.ofMillis(settings.emitIntervalMs()),
        PunctuationType.WALL_CLOCK_TIME,
        now -> dropOldWindows(now));
  }

  @Override
  public void process(final Record<String, KpiPartial> record) {
    final KpiPartial partial = record.value();
    if (partial == null) {
      return;
    }
    final String experimentId = partial.getExperimentId();
    final Instant window = partial.getWindowStart();
    merged.put(
        ExperimentKeys.merged(experimentId, window, partial.getVariant(), partial.getTask()),
        partial);
    final List<KpiPartial> parts = new ArrayList<>();
    try (KeyValueIterator<String, KpiPartial> same =
        merged.prefixScan(ExperimentKeys.window(experimentId, window), new StringSerializer())) {
      same.forEachRemaining(entry -> parts.add(entry.value));
    }
    context.forward(
        new Record<>(
            ExperimentKeys.topic(experimentId, window),
            KpiCalculator.compute(
                experimentId,
                window,
                settings.windowMs(),
                parts,
                settings.control(),
                settings.confidence(),
                clock.instant()),
            record.timestamp()));
  }

  /** Removes the windows older than the retained ones and tombstones their topic keys. */
  private void dropOldWindows(final long now) {
    final Map<String, Long> newest = new HashMap<>();
    final List<KeyValue<String, KpiPartial>> windowed = new ArrayList<>();
    try (KeyValueIterator<String, KpiPartial> all = merged.all()) {
      while (all.hasNext()) {
        final KeyValue<String, KpiPartial> entry = all.next();
        if (entry.value.getWindowStart() != null) {
          windowed.add(entry);
          newest.merge(
              entry.value.getExperimentId(),
              entry.value.getWindowStart().toEpochMilli(),
              Math::max);
        }
      }
    }
    final Set<String> dropped = new LinkedHashSet<>();
    for (final KeyValue<String, KpiPartial> entry : windowed) {
      final String experimentId = entry.value.getExperimentId();
      final long oldest =
          newest.get(experimentId) - (settings.windowsRetained() - 1) * settings.windowMs();
      if (entry.value.getWindowStart().toEpochMilli() < oldest) {
        merged.delete(entry.key);
        dropped.add(ExperimentKeys.topic(experimentId, entry.value.getWindowStart()));
      }
    }
    for (final String key : dropped) {
      context.forward(new Record<String, ExperimentKpis>(key, null, now));
    }
  }
}
