#!/usr/bin/env python3
"""Summarises hash.sh's in-process BenchmarkDotNet run as a markdown table against the issue's targets.

  hash_inprocess.py BDN_ARTIFACTS_DIR COMMAND RESULTS_DIR

b3sum's hashing speed comes from the same run's hyperfine exports in RESULTS_DIR: its 64 MiB time
less its time on an empty file (process start-up), so both sides are compared without start-up.
"""

import glob
import json
import os
import sys


def b3sum_median(results, workload, input_text):
    """The median of the b3sum side of one manifest.tsv row, or None."""
    with open(os.path.join(results, "manifest.tsv")) as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if fields[0] == workload and fields[1] == input_text and os.path.exists(fields[4]):
                return json.load(open(fields[4]))["results"][0]["median"]
    return None


def size_text(n):
    return f"{n >> 20} MiB" if n >= 1 << 20 else f"{n >> 10} KiB"


def main(bdn, command, results):
    rows = {}
    for path in glob.glob(bdn + "/results/*-report-full*.json"):
        for b in json.load(open(path))["Benchmarks"]:
            stats = b.get("Statistics")
            if stats:
                size = int(b["Parameters"].split("=")[1].split("&")[0])
                rows[(b["Method"], size)] = stats["Median"]

    startup = b3sum_median(results, "start-up (empty file)", "0 B")
    b3sum = {}
    for key in ("one thread", "all cores"):
        t = b3sum_median(results, key, "1 × 64 MiB")
        if t is not None and startup is not None and t > startup:
            b3sum[key] = (64 << 20) / (t - startup) / 1e9

    print("BLAKE3 in-process (BenchmarkDotNet medians; b3sum's speed is its 64 MiB median less its median on an empty file):\n")
    print("| input | threads | helios median | helios GB/s | b3sum GB/s | helios / b3sum speed | target | met? |")
    print("|---|---|---|---|---|---|---|---|")
    for (method, size), median in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        gbps = size / median
        threads = "all cores" if method.endswith("parallel") else "one thread"
        base = b3sum.get(threads) if size >= 1 << 20 else None
        ratio = "—"
        if size == 4096:
            target, met = "≥ 1 GB/s", ("yes" if gbps >= 1 else "**no**")
        elif base:
            ratio = f"{gbps / base:.2f}"
            applies = threads == "one thread" or size == 64 << 20
            target = "≥ 0.6" if applies else "report only"
            met = ("yes" if gbps / base >= 0.6 else "**no**") if applies else ""
        else:
            target, met = "report only", ""
        time = f"{median / 1000:.2f} µs" if median < 1e6 else f"{median / 1e6:.2f} ms"
        print(f"| {size_text(size)} | {threads} | {time} | {gbps:.2f} | {f'{base:.2f}' if base else '—'} | {ratio} | {target} | {met} |")
    if not rows:
        print("| — | — | failed | | | | | |")
    print(f"\n- `{command}`")
    return 0 if rows else 1


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:4]))
