#!/usr/bin/env python3
"""Medians of the runs of load-tests/compare.sh (default directory load-tests/target/compare)."""
import glob
import json
import os
import re
import statistics
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "target", "compare")


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else float("nan")


def runs(kind):
    """{variant: [report, ...]} for fixed-<variant>-<round>.json or ramp-..."""
    by = {}
    for f in sorted(glob.glob(os.path.join(OUT, f"{kind}-*.json"))):
        variant = re.match(rf"{kind}-(.+)-\d+\.json$", os.path.basename(f)).group(1)
        by.setdefault(variant, []).append(json.load(open(f)))
    return by


def cpu(report, key, field):
    values = [p[key][field] for p in report["phases"] if p.get(key)]
    return values[-1] if values else None


print("JMH StepAllBenchmark.stepAll (1 thread, 1 ORT intra-op thread): us/call, events/s")
for f in sorted(glob.glob(os.path.join(OUT, "jmh-*.json"))):
    for b in json.load(open(f)):
        batch = int(b["params"]["batch"])
        us = b["primaryMetric"]["score"]
        print(f"  {os.path.basename(f)[4:-5]:32s} batch {batch:3d}: {us:9.1f} us  {batch * 1e6 / us:8.0f}/s")

print("\nfixed 1,000 events/s (median over rounds; runs in brackets)")
print(f"  {'variant':16s} {'lists/s':>8s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s} {'p99.9':>8s}"
      f" {'app us/ev':>9s} {'gen us/ev':>9s}   p99 runs")
for variant, reports in runs("fixed").items():
    lat = [r["latency"] for r in reports]
    lists = [r["phases"][0]["listRate"] for r in reports]
    print(f"  {variant:16s} {med(lists):8.0f} {med([x['p50Ms'] for x in lat]):8.1f}"
          f" {med([x['p95Ms'] for x in lat]):8.1f} {med([x['p99Ms'] for x in lat]):8.1f}"
          f" {med([x['p999Ms'] for x in lat]):8.1f}"
          f" {med([cpu(r, 'appCpu', 'microsPerEvent') for r in reports]):9.0f}"
          f" {med([cpu(r, 'generatorCpu', 'microsPerEvent') for r in reports]):9.0f}"
          f"   [{' / '.join(format(x['p99Ms'], '.0f') for x in lat)}]")

ramps = runs("ramp")
if ramps:
    print("\nramp (+250/s every 10 s from 1,000): highest sustained rate, list rate at the first failing step")
    for variant, reports in ramps.items():
        sustained = [r["sustainableRate"] for r in reports]
        failing = [next((p["listRate"] for p in r["phases"] if not p["sustained"]), None) for r in reports]
        print(f"  {variant:16s} sustained {med(sustained):6.0f}/s [{' / '.join(f'{s:.0f}' for s in sustained)}]"
              f"  lists at first failing step {med(failing):6.0f}/s")

lookups = [json.load(open(f)) for f in sorted(glob.glob(os.path.join(OUT, "lookup-*.json")))]
if lookups:
    rates = [r["getsPerSecond"] for r in lookups]
    p99 = [r["latency"]["p99Ms"] for r in lookups]
    print(f"\nlookup API: GET/s median {med(rates):.0f} [{' / '.join(f'{x:.0f}' for x in rates)}], p99 median {med(p99):.2f} ms")

posts = runs("post")
if posts:
    print("\nPOST -> list in hand (read-your-writes, 1,000 POST/s; median over rounds; p90 runs in brackets)")
    print(f"  {'variant':16s} {'sent/s':>7s} {'w/ list':>8s} {'pending':>8s} {'p50 ms':>8s} {'p90 ms':>8s}"
          f" {'p99 ms':>8s} {'p99.9':>8s} {'errors':>7s} {'app cores':>9s} {'lookup':>7s}   p90 runs")
    for variant, reports in posts.items():
        print(f"  {variant:16s} {med([r['sentPerSecond'] for r in reports]):7.0f}"
              f" {med([r['withList'] for r in reports]):8.0f} {med([r['pending'] for r in reports]):8.0f}"
              f" {med([r['p50Ms'] for r in reports]):8.1f} {med([r['p90Ms'] for r in reports]):8.1f}"
              f" {med([r['p99Ms'] for r in reports]):8.1f} {med([r['p999Ms'] for r in reports]):8.1f}"
              f" {med([r['errors'] for r in reports]):7.0f}"
              f" {med([r['appCpuCores'] for r in reports]):9.2f}"
              f" {med([r.get('lookupCpuCores', -1) for r in reports]):7.2f}"
              f"   [{' / '.join(format(r['p90Ms'], '.1f') for r in reports)}]")
