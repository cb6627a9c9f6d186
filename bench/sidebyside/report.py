#!/usr/bin/env python3
"""Turns the side-by-side run's hyperfine JSON exports into one table of medians and ratios.

  report.py RESULTS_DIR [--out FILE] [--title TEXT] [--column NAME]

RESULTS_DIR holds meta.tsv (key<TAB>value lines about the machine and the run) and
manifest.tsv, one line per workload:
  workload<TAB>files<TAB>target<TAB>baseline-name<TAB>baseline-json<TAB>baseline-command<TAB>helios-json<TAB>helios-command[<TAB>failure]
A target is "le R" (helios/baseline <= R), "lt R" (< R) or "-" (report only).
Prints the table as markdown; with --out also writes it, the run's details and every command, to FILE.
--title sets the heading of FILE, --column the header of the second column (default "files").
A file extra.md in RESULTS_DIR (more markdown from the same run) is printed after the table.
"""

import json
import os
import sys


def load(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)["results"][0]


def ms(seconds):
    v = seconds * 1000
    return f"{v:.1f}" if v >= 10 else f"{v:.2f}"


def noise(r):
    return f"±{ms(r['stddev'] or 0)} ({ms(r['min'])}–{ms(r['max'])})"


def target_text(target):
    if target == "-":
        return "report only"
    op, value = target.split()
    value = float(value)
    if op == "lt" and value == 1:
        return "faster (< 1×)"
    if value < 1:
        return f"≥ {1 / value:g}× faster (≤ {value:g}×)"
    return f"≤ {value:g}×" if op == "le" else f"< {value:g}×"


def met(target, ratio):
    if target == "-" or ratio is None:
        return ""
    op, value = target.split()
    ok = ratio <= float(value) if op == "le" else ratio < float(value)
    return "yes" if ok else "**no**"


def main(argv):
    if not argv:
        sys.exit(__doc__)
    results = argv[0]
    out = argv[argv.index("--out") + 1] if "--out" in argv else None
    title = argv[argv.index("--title") + 1] if "--title" in argv else "Side-by-side: git and helios (bench/sidebyside/cli.sh)"
    column = argv[argv.index("--column") + 1] if "--column" in argv else "files"
    extra_path = os.path.join(results, "extra.md")
    extra = open(extra_path).read().strip() if os.path.exists(extra_path) else ""
    meta = []
    with open(os.path.join(results, "meta.tsv")) as f:
        meta = [line.rstrip("\n").split("\t", 1) for line in f if "\t" in line]
    rows, commands, failures = [], [], []
    with open(os.path.join(results, "manifest.tsv")) as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            workload, files, target, base_name, base_json, base_cmd, hel_json, hel_cmd = fields[:8]
            failure = fields[8] if len(fields) > 8 else ""
            base, hel = load(base_json), load(hel_json)
            ratio = hel["median"] / base["median"] if base and hel else None
            rows.append("| {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
                workload, f"{int(files):,}" if files.isdigit() else files, base_name,
                ms(base["median"]) + " " + noise(base) if base else "failed",
                ms(hel["median"]) + " " + noise(hel) if hel else "failed",
                f"**{ratio:.2f}×**" if ratio is not None else "—",
                target_text(target), met(target, ratio), f"{len(hel['times'])}" if hel else ""))
            commands.append(f"- {workload}, {files} {column}:\n  - `{base_cmd}`\n  - `{hel_cmd}`")
            if failure:
                failures.append(f"- {workload}, {files} {column}: {failure}")
    table = "\n".join([
        f"| workload | {column} | baseline | baseline median ms ±σ (min–max) | helios median ms ±σ (min–max) | helios / baseline | target | met? | runs |",
        "|---|---|---|---|---|---|---|---|---|",
        *rows])
    print(table)
    if extra:
        print("\n" + extra)
    if failures:
        print("\nFailures:\n" + "\n".join(failures))
    if out:
        with open(out, "w") as f:
            f.write(f"# {title}\n\n")
            f.write("\n".join(f"- {k}: {v}" for k, v in meta) + "\n\n")
            f.write(table + "\n")
            if extra:
                f.write("\n" + extra + "\n")
            if failures:
                f.write("\n## Failures\n\n" + "\n".join(failures) + "\n")
            f.write("\n## Commands (hyperfine; cli.sh runs each in its tool's copy of the tree)\n\n" + "\n".join(commands) + "\n")
        print(f"\nwritten to {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
