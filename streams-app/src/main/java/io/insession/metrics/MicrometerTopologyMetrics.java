package io.insession.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * {@link TopologyMetrics} as Micrometer meters. Names as Prometheus shows them (the alerts and the
 * dashboard in {@code deploy/} rely on them):
 *
 * <ul>
 *   <li>{@code insession_events_in_total}, {@code insession_dead_letters_total{reason}};
 *   <li>by {@code variant} (a sum over it gives the instance's total): {@code
 *       insession_lists_out_total}, {@code insession_end_to_end_latency_seconds} (histogram with a
 *       bucket boundary at the 250 ms objective), {@code insession_scoring_latency_seconds}
 *       (histogram), {@code insession_scoring_batch_size} (summary), {@code
 *       insession_reencoded_sessions_total} and {@code insession_reencoded_steps_total} (sessions
 *       whose hidden state another model wrote, re-encoded from their recent items, and the items
 *       stepped for it);
 *   <li>{@code insession_active_sessions}: the sum over this instance's tasks of the count at each
 *       task's last expiry scan.
 * </ul>
 */
public final class MicrometerTopologyMetrics implements TopologyMetrics {

  /** The end-to-end latency objective; a histogram bucket ends exactly there. */
  public static final Duration END_TO_END_OBJECTIVE = Duration.ofMillis(250);

  /** The tag naming the A/B variant on the per-variant meters. */
  public static final String VARIANT_TAG = "variant";

  private final MeterRegistry registry;
  private final Counter eventsIn;
  private final Counter invalidTimestamps;
  private final Counter duplicateEvents;
  private final Counter sessionsForgotten;
  private final ConcurrentMap<String, VariantMeters> byVariant = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Counter> deadLetters = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Counter> ruleRemovals = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Long> sessionsByTask = new ConcurrentHashMap<>();

  /**
   * Registers the meters.
   *
   * @param registry where to register them
   * @param deadLetterReasons reasons whose counters start at 0 (so a first dead letter is a rate,
   *     not a new series); other reasons get their counter on first use
   */
  public MicrometerTopologyMetrics(
      final MeterRegistry registry, final Collection<String> deadLetterReasons) {
    this.registry = registry;
    this.eventsIn =
        Counter.builder("insession.events.in")
            .description("Records read from the weblog topic, valid or not")
            .register(registry);
    this.invalidTimestamps =
        Counter.builder("insession.invalid.record.timestamps")
            .description(
                "Weblog records with a negative Kafka timestamp, processed with the partition time")
            .register(registry);
    this.duplicateEvents =
        Counter.builder("insession.duplicate.events")
            .description("Events whose eventId their session had already applied (retries)")
            .register(registry);
    this.sessionsForgotten =
        Counter.builder("insession.sessions.forgotten")
            .description(
                "Sessions forgotten on an operator's request: state deleted, lists tombstoned")
            .register(registry);
    Gauge.builder("insession.active.sessions", sessionsByTask, MicrometerTopologyMetrics::sum)
        .description("Sessions held by this instance, counted at each task's last expiry scan")
        .strongReference(true)
        .register(registry);
    for (final String reason : deadLetterReasons) {
      deadLetterCounter(reason);
    }
  }

  @Override
  public void eventIn() {
    eventsIn.increment();
  }

  @Override
  public void deadLetter(final String reason) {
    deadLetterCounter(reason).increment();
  }

  @Override
  public void listOut(final String variant, final Duration endToEnd) {
    final VariantMeters meters = variant(variant);
    meters.listsOut.increment();
    // a negative duration (producer clock ahead of ours) is ignored by the timer
    meters.endToEnd.record(endToEnd);
  }

  @Override
  public void invalidRecordTimestamp() {
    invalidTimestamps.increment();
  }

  @Override
  public void duplicateEvent() {
    duplicateEvents.increment();
  }

  @Override
  public void sessionForgotten() {
    sessionsForgotten.increment();
  }

  @Override
  public void scored(final String variant, final int requests, final long nanos) {
    final VariantMeters meters = variant(variant);
    meters.scoring.record(nanos, TimeUnit.NANOSECONDS);
    meters.batchSize.record(requests);
  }

  @Override
  public void reencoded(final String variant, final int steps) {
    final VariantMeters meters = variant(variant);
    meters.reencodes.increment();
    meters.reencodedSteps.increment(steps);
  }

  @Override
  public void activeSessions(final String task, final long sessions) {
    sessionsByTask.put(task, sessions);
  }

  @Override
  public void ruleRemoved(final String rule, final String variant, final int removed) {
    ruleRemovals
        .computeIfAbsent(
            rule + '\u0000' + variant,
            key ->
                Counter.builder("insession.rule.removed")
                    .description(
                        "Candidates a business rule removed from lists, by rule and variant")
                    .tag("rule", rule)
                    .tag(VARIANT_TAG, variant)
                    .register(registry))
        .increment(removed);
  }

  @Override
  public void taskClosed(final String task) {
    sessionsByTask.remove(task);
  }

  private VariantMeters variant(final String variant) {
    return byVariant.computeIfAbsent(variant, v -> new VariantMeters(registry, v));
  }

  /** The meters of one variant (registered on its first use). */
  private static final class VariantMeters {
    private final Counter listsOut;
    private final Timer endToEnd;
    private final Timer scoring;
    private final DistributionSummary batchSize;
    private final Counter reencodes;
    private final Counter reencodedSteps;

    VariantMeters(final MeterRegistry registry, final String variant) {
      this.listsOut =
          Counter.builder("insession.lists.out")
              .description("Recommendation lists emitted")
              .tag(VARIANT_TAG, variant)
              .register(registry);
      this.endToEnd =
          Timer.builder("insession.end.to.end.latency")
              .description("From the triggering event's time to the list's emission")
              .tag(VARIANT_TAG, variant)
              .publishPercentileHistogram()
              .serviceLevelObjectives(END_TO_END_OBJECTIVE)
              .minimumExpectedValue(Duration.ofMillis(1))
              .maximumExpectedValue(Duration.ofMinutes(1))
              .register(registry);
      this.scoring =
          Timer.builder("insession.scoring.latency")
              .description("Duration of one scorer call")
              .tag(VARIANT_TAG, variant)
              .publishPercentileHistogram()
              .minimumExpectedValue(Duration.ofNanos(50_000))
              .maximumExpectedValue(Duration.ofSeconds(10))
              .register(registry);
      this.batchSize =
          DistributionSummary.builder("insession.scoring.batch.size")
              .description("Sessions advanced per scorer call")
              .tag(VARIANT_TAG, variant)
              .register(registry);
      this.reencodes =
          Counter.builder("insession.reencoded.sessions")
              .description(
                  "Sessions whose hidden state another model wrote, re-encoded from their items")
              .tag(VARIANT_TAG, variant)
              .register(registry);
      this.reencodedSteps =
          Counter.builder("insession.reencoded.steps")
              .description("Recent items stepped to re-encode sessions")
              .tag(VARIANT_TAG, variant)
              .register(registry);
    }
  }

  private Counter deadLetterCounter(final String reason) {
    return deadLetters.computeIfAbsent(
        reason,
        r ->
            Counter.builder("insession.dead.letters")
                .description("Records sent to the dead-letter topic, by reason")
                .tag("reason", r)
                .register(registry));
  }

  private static double sum(final Map<String, Long> counts) {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }
}
