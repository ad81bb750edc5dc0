#!/usr/bin/env python3
"""Where the app's CPU time goes, from a JFR recording's execution samples.

    jfr print --events jdk.ExecutionSample,jdk.NativeMethodSample --stack-depth 64 app.jfr \
        | load-tests/jfr-summary.py

jdk.ExecutionSample samples threads running Java code; jdk.NativeMethodSample samples threads
inside native methods (ONNX Runtime kernels, RocksDB, socket reads and waits: it cannot tell
running from blocked, so read the native part as "where threads sit", not CPU). Prints, per kind,
the share of samples per thread group, per component of the stream threads (the first non-JDK
frame from the top that belongs to a known component; JDK if there is none) and the top frames.
"""
import collections
import re
import sys

COMPONENTS = [
    ("ai.onnxruntime", "ONNX Runtime call (JNI)"),
    ("io.insession.scoring", "scorer Java side (tensors, decoding)"),
    ("org.rocksdb", "RocksDB (session state)"),
    ("org.apache.avro", "Avro (serdes)"),
    ("io.insession.avro", "Avro (serdes)"),
    ("org.apache.kafka.streams.state", "Streams state stores / changelog"),
    ("org.apache.kafka.streams", "Kafka Streams runtime"),
    ("org.apache.kafka.clients.producer", "Kafka producer"),
    ("org.apache.kafka.clients.consumer", "Kafka consumer"),
    ("org.apache.kafka.common", "Kafka network / records"),
    ("io.insession", "InSession topology / rules"),
    ("org.apache.kafka", "Kafka (other)"),
]
JDK = ("java.", "sun.", "jdk.")


def component(frames):
    for frame in frames:
        for prefix, name in COMPONENTS:
            if frame.startswith(prefix):
                return name
    return "JDK only" if frames and all(f.startswith(JDK) for f in frames) else "other"


def parse(stream):
    events = []
    current = None
    for line in stream:
        line = line.rstrip()
        m = re.match(r"(jdk\.\w+Sample) \{", line)
        if m:
            current = [m.group(1), "?", []]
            events.append(current)
        elif current is not None and "sampledThread" in line:
            t = re.search(r'"([^"]*)"', line)
            current[1] = t.group(1) if t else "?"
        elif current is not None and "line:" in line and re.match(r"\s+[\w$.<>]+\(", line):
            current[2].append(line.strip().split("(")[0])
    return events


def report(kind, events):
    total = len(events) or 1
    by_thread = collections.Counter(re.sub(r"-\d+$", "-N", re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "", t))
                                    for _, t, _ in events)
    by_top = collections.Counter(f[0] if f else "?" for _, _, f in events)
    by_comp = collections.Counter(component(f) for _, t, f in events if "StreamThread" in t)
    stream_total = sum(by_comp.values()) or 1
    print(f"== {kind}: {len(events)} samples")
    print("by thread:")
    for t, n in by_thread.most_common(6):
        print(f"  {100*n/total:5.1f}%  {t}")
    print("stream threads, by component:")
    for c, n in by_comp.most_common():
        print(f"  {100*n/stream_total:5.1f}%  {c}")
    print("top frames:")
    for fr, n in by_top.most_common(10):
        print(f"  {100*n/total:5.1f}%  {fr}")
    print()


def main():
    events = parse(sys.stdin)
    for kind in sorted({e[0] for e in events}):
        report(kind, [e for e in events if e[0] == kind])


if __name__ == "__main__":
    main()
