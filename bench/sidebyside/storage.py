#!/usr/bin/env python3
"""Storage side by side: the same histories committed through real git and the real helios CLI.

W1 variants:   one ~10 KiB source file, N variants each rewriting ~5% of its lines, each committed.
W2 agent turns: a source tree of F files, then N commits each touching 1 to 5 files.
W3 large file: one binary of S MiB, V versions each with 1% of its bytes changed at scattered places.

Sizes are apparent bytes (sum of file sizes): Helios's whole .helios folder as the commits left it
(no gc, WAL included), git's .git/objects loose, after `git gc` and (W1) after `git gc --aggressive`.
Read-back: every version checked out again by `helios checkout`, against a second Helios repository
holding the same history with deltas turned off (when this build has a setting for that).
Run through storage.sh, which builds helios and installs what is missing.
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import time

LINE = 40  # bytes per generated source line, newline included


def run(args, cwd, env=None):
    result = subprocess.run(args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if result.returncode != 0:
        sys.exit(f"storage.py: {' '.join(args)} in {cwd} failed ({result.returncode}): {result.stderr.decode(errors='replace').strip()}")
    return result.stdout.decode(errors="replace")


def size_of(path):
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except FileNotFoundError:
                pass
    return total


def source_line(rng):
    words = ["let", "value", "agent", "score", "return", "if", "else", "for", "state", "commit", "merge", "node"]
    text = " ".join(rng.choice(words) for _ in range(8))
    return (text[: LINE - 1]).ljust(LINE - 1) + "\n"


class Pair:
    """A git repository and one or more Helios repositories fed the same working-tree changes."""

    def __init__(self, root, helios, names):
        self.root = root
        self.helios = helios
        self.git = os.path.join(root, "git")
        self.heliosdirs = {name: os.path.join(root, name) for name in names}
        os.makedirs(self.git)
        run(["git", "init", "-q", "-b", "main"], self.git)
        run(["git", "config", "user.name", "bench"], self.git)
        run(["git", "config", "user.email", "bench@example.org"], self.git)
        run(["git", "config", "gc.auto", "0"], self.git)  # git must not pack on its own mid-run: we measure loose first
        for path in self.heliosdirs.values():
            os.makedirs(path)
            run([helios, "init"], path)
        self.helios_seconds = 0.0
        self.git_seconds = 0.0

    def write(self, relative, data):
        for base in [self.git, *self.heliosdirs.values()]:
            path = os.path.join(base, relative)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)

    def commit(self, message):
        start = time.perf_counter()
        run(["git", "add", "-A"], self.git)
        run(["git", "commit", "-q", "-m", message], self.git)
        self.git_seconds += time.perf_counter() - start
        for name, path in self.heliosdirs.items():
            start = time.perf_counter()
            run([self.helios, "commit", "-m", message], path)
            if name == "helios":
                self.helios_seconds += time.perf_counter() - start

    def sizes(self, aggressive):
        result = {"helios": size_of(os.path.join(self.heliosdirs["helios"], ".helios"))}
        wal = os.path.join(self.heliosdirs["helios"], ".helios", "store.db-wal")
        result["helios_wal"] = os.path.getsize(wal) if os.path.exists(wal) else 0
        result["git_loose"] = size_of(os.path.join(self.git, ".git", "objects"))
        run(["git", "gc", "-q"], self.git)
        result["git_gc"] = size_of(os.path.join(self.git, ".git", "objects"))
        if aggressive:
            run(["git", "gc", "-q", "--aggressive"], self.git)
            result["git_gc_aggressive"] = size_of(os.path.join(self.git, ".git", "objects"))
        return result

    def readback(self, name, revisions):
        """Seconds to check out every revision in turn in Helios repository `name`."""
        path = self.heliosdirs[name]
        start = time.perf_counter()
        for rev in revisions:
            run([self.helios, "checkout", rev], path)
        return time.perf_counter() - start


def new_pair(root, workload, helios, nodelta):
    """A git repository and a helios one (plus, with nodelta, a second helios one stored without deltas)."""
    pair = Pair(os.path.join(root, workload), helios, ["helios"] + (["nodelta"] if nodelta else []))
    if nodelta:
        run([helios, "config", "set", *nodelta], pair.heliosdirs["nodelta"])
    return pair


def w1(root, helios, variants, nodelta):
    rng = random.Random(1)
    pair = new_pair(root, "w1", helios, nodelta)
    lines = [source_line(rng) for _ in range(10 * 1024 // LINE)]
    for v in range(variants):
        if v:
            for i in rng.sample(range(len(lines)), max(1, len(lines) // 20)):
                lines[i] = source_line(rng)
        pair.write("src/agent.py", "".join(lines).encode())
        pair.commit(f"variant {v}")
    ids = [f"main~{k}" for k in range(0, variants, max(1, variants // 50))]
    return pair, pair.sizes(aggressive=True), ids


def w2(root, helios, files, commits, nodelta):
    rng = random.Random(2)
    pair = new_pair(root, "w2", helios, nodelta)
    contents = {}
    for f in range(files):
        path = f"pkg{f % 50:02d}/mod{f // 50:03d}/file{f:05d}.py"
        contents[path] = [source_line(rng) for _ in range(rng.randint(20, 100))]
        pair.write(path, "".join(contents[path]).encode())
    pair.commit("initial tree")
    paths = sorted(contents)
    for c in range(commits):
        for path in rng.sample(paths, rng.randint(1, 5)):
            lines = contents[path]
            for i in rng.sample(range(len(lines)), max(1, len(lines) // 10)):
                lines[i] = source_line(rng)
            pair.write(path, "".join(lines).encode())
        pair.commit(f"turn {c}")
    ids = [f"main~{k}" for k in range(0, commits, max(1, commits // 20))]
    return pair, pair.sizes(aggressive=False), ids


def w3(root, helios, mib, versions, nodelta):
    rng = random.Random(3)
    pair = new_pair(root, "w3", helios, nodelta)
    size = mib * 1024 * 1024
    data = bytearray(rng.randbytes(size))
    changed = 0
    sites = 64
    span = size // 100 // sites  # 1% of the file in 64 scattered runs
    for v in range(versions):
        if v:
            for _ in range(sites):
                at = rng.randrange(0, size - span)
                data[at:at + span] = rng.randbytes(span)
            changed += sites * span
        pair.write("model.bin", bytes(data))
        pair.commit(f"version {v}")
    ids = [f"main~{k}" for k in range(versions)]
    sizes = pair.sizes(aggressive=False)
    sizes["budget"] = int(1.2 * (size + changed))
    return pair, sizes, ids


def mib(n):
    return f"{n / (1024 * 1024):.2f} MiB"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--helios", required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--workloads", default="w1,w2,w3")
    parser.add_argument("--nodelta", default="", help="KEY=VALUE helios config that stores without deltas; empty: skip read-back comparison")
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    nodelta = args.nodelta.split("=", 1) if args.nodelta else None
    q = args.quick
    rows, notes = [], []
    started = time.perf_counter()
    for workload in args.workloads.split(","):
        t0 = time.perf_counter()
        if workload == "w1":
            n = 200 if q else 1000
            pair, s, ids = w1(args.dir, args.helios, n, nodelta)
            rows.append((f"W1 {n} variants of a 10 KiB file", s["helios"], s["git_loose"], s["git_gc"], s.get("git_gc_aggressive"),
                         f"helios <= 10% of git loose ({s['helios'] / s['git_loose']:.1%}); <= 50% of git gc --aggressive ({s['helios'] / s['git_gc_aggressive']:.1%})"))
        elif workload == "w2":
            files, n = (1000, 200) if q else (5000, 1000)
            pair, s, ids = w2(args.dir, args.helios, files, n, nodelta)
            rows.append((f"W2 {files} files, {n} commits of 1-5 files", s["helios"], s["git_loose"], s["git_gc"], None,
                         f"helios <= git gc ({s['helios'] / s['git_gc']:.2f}x)"))
        elif workload == "w3":
            size, n = (16, 10) if q else (64, 50)
            pair, s, ids = w3(args.dir, args.helios, size, n, nodelta)
            rows.append((f"W3 {size} MiB binary, {n} versions, 1% edits", s["helios"], s["git_loose"], s["git_gc"], None,
                         f"helios <= 1.2 x (one copy + changed bytes) = {mib(s['budget'])} ({s['helios'] / s['budget'] * 1.2:.2f}x of one copy + changes)"))
        else:
            sys.exit(f"storage.py: unknown workload '{workload}' (w1, w2, w3)")
        notes.append(f"{workload}: of helios's {mib(s['helios'])}, {mib(s['helios_wal'])} is write-ahead log not yet checkpointed")
        readback = pair.readback("helios", ids)
        plain = pair.readback("nodelta", ids) if nodelta else None
        notes.append(f"{workload}: commit time helios {pair.helios_seconds:.1f} s, git {pair.git_seconds:.1f} s; read-back of {len(ids)} versions "
                     f"(helios checkout) {readback:.2f} s" + (f", without deltas {plain:.2f} s, ratio {readback / plain:.2f} (target <= 2)" if plain else
                                                               ", no no-delta comparison (no --nodelta setting given)") + f"; workload took {time.perf_counter() - t0:.0f} s")
    lines = ["| workload | helios .helios | git loose | git gc | git gc --aggressive | helios / git gc | target (measured) |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for name, h, loose, gc, aggressive, target in rows:
        lines.append(f"| {name} | {mib(h)} | {mib(loose)} | {mib(gc)} | {mib(aggressive) if aggressive else '-'} | {h / gc:.2f} | {target} |")
    lines.append("")
    lines.extend(f"- {n}" for n in notes)
    lines.append(f"- total {time.perf_counter() - started:.0f} s; sizes are apparent bytes; helios's .helios folder as the commits left it (WAL included, no gc)")
    text = "\n".join(lines)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write("## Storage side by side (bench/sidebyside/storage.sh)\n\n" + text + "\n")


if __name__ == "__main__":
    main()
