#!/usr/bin/env python3
"""Medians of the baseline runs in load-tests/target/baseline (see load-tests/baseline.sh)."""
import glob
import json
import os
import statistics
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "target", "baseline")


def med(values):
    return statistics.median(values) if values else float("nan")


def load(pattern):
    return [json.load(open(f)) for f in sorted(glob.glob(os.path.join(OUT, pattern)))]


jmh = {}
for run in load("jmh-*.json"):
    for b in run:
        name = b["benchmark"].rsplit(".", 2)[-2] + "." + b["benchmark"].rsplit(".", 1)[-1]
        batch = int(b.get("params", {}).get("batch", 1))
        jmh.setdefault((name, batch), []).append(b["primaryMetric"]["score"])
print("JMH (us/call; events/s = batch * 1e6 / us), median of", len(load("jmh-*.json")), "runs")
for (name, batch), scores in sorted(jmh.items()):
    us = med(scores)
    print(f"  {name:26s} batch {batch:4d}: {us:9.1f} us/call  {batch*1e6/us:9.0f} events/s"
          f"   runs {[round(s, 1) for s in scores]}")

fixed = load("fixed1000-*.json")
if fixed:
    print(f"\nfixed 1000/s, median of {len(fixed)} runs:")
    for k in ["p50Ms", "p95Ms", "p99Ms", "p999Ms", "maxMs"]:
        print(f"  {k:7s} {med([r['latency'][k] for r in fixed]):8.1f}   "
              f"runs {[r['latency'][k] for r in fixed]}")
    print(f"  lists/s {med([r['phases'][0]['listRate'] for r in fixed]):8.0f}")

ramp = load("ramp-*.json")
if ramp:
    print(f"\nramp, highest sustained rate: median {med([r['sustainableRate'] for r in ramp]):.0f}"
          f" events/s, runs {[r['sustainableRate'] for r in ramp]}")
    print(f"  max list rate seen: runs {[max(p['listRate'] for p in r['phases']) for r in ramp]}")

look = load("lookup-*.json")
if look:
    print(f"\nlookup, median of {len(look)} runs: {med([r['getsPerSecond'] for r in look]):.0f} GET/s"
          f" (runs {[r['getsPerSecond'] for r in look]}), p50 {med([r['latency']['p50Ms'] for r in look]):.2f}"
          f" p99 {med([r['latency']['p99Ms'] for r in look]):.2f} ms (runs {[r['latency']['p99Ms'] for r in look]})")
