#!/usr/bin/env python3
"""Samples a running `insession run` over time for load-tests/soak.sh.

Every interval it reads the app's /metrics and prints one row: heap and direct memory, the
process's resident set (native memory included), RocksDB memory (block cache and memtables), the
sessions held in the state store (they grow until the first ones expire after insession.session.gap.ms), the
consumer lag, events in, lists out and dead letters in the interval, and the end-to-end latency
percentiles of the lists of the interval (from the deltas of the Prometheus histogram).
"""
import argparse
import logging
import os
import re
import subprocess
import time
import urllib.error
import urllib.request
from typing import Dict, List, Optional, Tuple

LOG = logging.getLogger("soak")
SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)")
MIB = 1024.0 * 1024.0

Samples = List[Tuple[str, str, float]]


def scrape(port: int) -> Optional[Samples]:
    """(name, labels, value) of every sample on the port's /metrics, None when it does not answer."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
            text = answer.read().decode("utf-8")
    except (urllib.error.URLError, OSError):
        return None
    samples: Samples = []
    for line in text.splitlines():
        match = SAMPLE.match(line)
        if match and not line.startswith("#"):
            try:
                samples.append((match.group(1), match.group(2) or "", float(match.group(3))))
            except ValueError:
                continue
    return samples


def total(samples: Samples, name: str, label: str = "") -> Optional[float]:
    """Sum of the samples of `name` whose labels contain `label` (None when there are none)."""
    values = [v for n, labels, v in samples if n == name and label in labels]
    return sum(values) if values else None


def delta(now: Samples, previous: Samples, name: str) -> Optional[float]:
    """How much the counter `name` grew between two scrapes (None when it is missing)."""
    after, before = total(now, name), total(previous, name)
    return None if after is None else after - (before or 0.0)


def biggest(samples: Samples, pattern: str) -> Optional[float]:
    values = [v for n, _, v in samples if re.fullmatch(pattern, n)]
    return max(values) if values else None


def summed(samples: Samples, pattern: str) -> Optional[float]:
    values = [v for n, _, v in samples if re.fullmatch(pattern, n)]
    return sum(values) if values else None


def buckets(samples: Samples) -> Dict[float, float]:
    """Cumulative end-to-end latency bucket counts by upper bound (seconds), summed over variants."""
    by_bound: Dict[float, float] = {}
    for name, labels, value in samples:
        if name == "insession_end_to_end_latency_seconds_bucket":
            bound = re.search(r'le="([^"]+)"', labels)
            if bound:
                key = float("inf") if bound.group(1) == "+Inf" else float(bound.group(1))
                by_bound[key] = by_bound.get(key, 0.0) + value
    return by_bound


def percentile(before: Dict[float, float], after: Dict[float, float], q: float) -> Optional[float]:
    """The upper bound of the bucket holding the q-quantile of the observations in between."""
    bounds = sorted(after)
    deltas = [after[b] - before.get(b, 0.0) for b in bounds]
    count = deltas[-1] if deltas else 0.0
    if count <= 0:
        return None
    for bound, cumulative in zip(bounds, deltas):
        if cumulative >= q * count:
            return bound
    return None


def resident_mib(port: int) -> Optional[float]:
    """VmRSS of the process listening on the port (found with ss), in MiB."""
    try:
        listing = subprocess.run(
            ["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True, check=False
        ).stdout
    except OSError:
        return None
    pid = re.search(r"pid=(\d+)", listing)
    if not pid:
        return None
    try:
        with open(f"/proc/{pid.group(1)}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def disk_mib(folder: Optional[str]) -> Optional[float]:
    """Bytes of the files under `folder` (as `du -sb` counts them), in MiB; None without a folder."""
    if not folder:
        return None
    used = 0
    for parent, _, files in os.walk(folder):
        for name in files:
            try:
                used += os.lstat(os.path.join(parent, name)).st_size
            except OSError:  # a RocksDB file compacted away while walking
                continue
    return used / MIB


def fmt(value: Optional[float], scale: float = 1.0, digits: int = 0) -> str:
    return "n/a" if value is None else f"{value / scale:.{digits}f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True, help="the app's metrics port")
    parser.add_argument("--every", type=float, default=60.0, help="seconds between samples")
    parser.add_argument("--while-pid", type=int, required=True, help="sample while it runs")
    parser.add_argument("--disk-dir", help="also print the bytes on disk under this folder (the state directory)")
    args = parser.parse_args()
    if args.every <= 0:
        raise ValueError(f"--every must be positive: {args.every}")
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    LOG.info(
        "%7s %8s %8s %8s %9s %9s %9s %8s %8s %8s %8s %8s %7s %8s %8s",
        "t(s)", "heap MiB", "direct", "RSS MiB", "rdb cache", "memtables", "sessions", "sst MiB", "disk MiB", "lag",
        "in", "lists", "dlq", "p50 ms", "p99 ms",
    )
    start = time.monotonic()
    previous: Optional[Samples] = None
    while os.path.exists(f"/proc/{args.while_pid}"):
        now = scrape(args.port)
        if now is not None and previous is not None:
            before, after = buckets(previous), buckets(now)
            p50 = percentile(before, after, 0.50)
            p99 = percentile(before, after, 0.99)
            LOG.info(
                "%7.0f %8s %8s %8s %9s %9s %9s %8s %8s %8s %8s %8s %7s %8s %8s",
                time.monotonic() - start,
                fmt(total(now, "jvm_memory_used_bytes", 'area="heap"'), MIB),
                fmt(total(now, "jvm_buffer_memory_used_bytes", 'id="direct"'), MIB),
                fmt(resident_mib(args.port)),
                fmt(biggest(now, r"kafka_stream_state_block_cache_usage"), MIB, 1),
                fmt(summed(now, r"kafka_stream_state_(cur|size_all)_mem_tables?"), MIB, 1),
                fmt(total(now, "insession_active_sessions")),
                fmt(summed(now, r"kafka_stream_state_total_sst_files_size"), MIB, 1),
                fmt(disk_mib(args.disk_dir), 1.0, 1),
                fmt(total(now, "insession_consumer_lag_records")),
                fmt(delta(now, previous, "insession_events_in_total")),
                fmt(delta(now, previous, "insession_lists_out_total")),
                fmt(delta(now, previous, "insession_dead_letters_total")),
                fmt(None if p50 is None else p50 * 1000.0),
                fmt(None if p99 is None else p99 * 1000.0),
            )
        if now is not None:
            previous = now
        time.sleep(args.every)


if __name__ == "__main__":
    main()
