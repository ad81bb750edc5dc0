package io.insession.load.report;

import io.insession.load.measure.CpuUse;
import io.insession.load.measure.LatencySummary;

/**
 * One fixed-rate phase: a whole fixed-rate run, or one step of a ramp.
 *
 * @param targetRate events/s asked for
 * @param seconds how long events were sent
 * @param sent events sent
 * @param lists lists received (matched to an event of this run) during the phase
 * @param sendRate events/s actually sent
 * @param listRate lists/s received during the phase
 * @param maxBehindMs how far the generator fell behind its own schedule (0 = it kept the rate)
 * @param pendingAtEnd events still waiting for their list at the end of the phase
 * @param groupLagAtEnd the app's consumer-group lag on the weblog topic (-1 when unknown)
 * @param latency end-to-end latency of the lists received during the phase
 * @param sustained whether the phase kept up (see {@link Verdict})
 * @param verdict why it did or did not
 * @param appCpu CPU the app's process used while the phase sent (null when unknown: the app was
 *     started separately without {@code --app-pid}, or its CPU time cannot be read)
 * @param generatorCpu CPU the generator's JVM used while the phase sent: the generator and, with
 *     {@code --embedded}, the broker (null when unknown)
 */
public record StepReport(
    double targetRate,
    double seconds,
    long sent,
    long lists,
    double sendRate,
    double listRate,
    double maxBehindMs,
    long pendingAtEnd,
    long groupLagAtEnd,
    LatencySummary latency,
    boolean sustained,
    String verdict,
    CpuUse appCpu,
    CpuUse generatorCpu) {}
