package io.insession.load.report;

import io.insession.load.measure.LatencySummary;

/**
 * The result of a lookup API load test.
 *
 * @param startedAt ISO-8601 start time
 * @param baseUrl the API under test (loopback only)
 * @param sessions distinct session ids the GETs chose from
 * @param concurrency connections, each with one request at a time
 * @param seconds how long requests were sent
 * @param requests answered requests
 * @param ok 200 answers
 * @param notFound 404 answers (session unknown to the API)
 * @param errors other statuses and I/O errors
 * @param getsPerSecond answered requests per second
 * @param latency request latency (write to last byte of the answer)
 */
public record LookupReport(
    String startedAt,
    String baseUrl,
    int sessions,
    int concurrency,
    double seconds,
    long requests,
    long ok,
    long notFound,
    long errors,
    double getsPerSecond,
    LatencySummary latency) {}
