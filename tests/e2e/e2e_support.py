"""Shared pieces of the end-to-end workflow scripts: running helios, checks that fail with a
clear message, a fake deterministic code generator and scorer (standing in for an LLM and a
test suite), and the script entry point. Python standard library only."""

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import traceback

HEX64 = re.compile(r"[0-9a-f]{64}")
ONELINE = re.compile(r"([0-9a-f]{4,64}) (.*)")

_transcript = []
_transcript_lock = threading.Lock()


class CheckFailed(Exception):
    """A workflow step or assertion did not hold; the message says which and why."""


def check(condition, message):
    if not condition:
        raise CheckFailed(message)


def check_equal(actual, expected, what):
    if actual != expected:
        raise CheckFailed(f"{what}:\n  expected: {expected!r}\n  actual:   {actual!r}")


def helios(*args, cwd, codes=(0,)):
    """Runs `helios ARGS` in cwd; fails unless the exit code is one of codes. Returns the CompletedProcess."""
    proc = subprocess.run(["helios", *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    with _transcript_lock:
        _transcript.append(f"[{os.path.basename(cwd)}] helios {' '.join(args)} -> exit {proc.returncode}")
    if proc.returncode not in codes:
        raise CheckFailed(
            f"`helios {' '.join(args)}` in {cwd} exited with {proc.returncode} (expected {' or '.join(map(str, codes))})\n"
            f"  stdout: {proc.stdout.strip()!r}\n  stderr: {proc.stderr.strip()!r}")
    return proc


def rev_parse(rev, cwd):
    out = helios("rev-parse", rev, cwd=cwd).stdout
    check(HEX64.fullmatch(out.strip()) is not None and out.endswith("\n") and out.count("\n") == 1,
          f"`helios rev-parse {rev}` must print one full 64-hex id and nothing else, printed {out!r}")
    return out.strip()


def log_oneline(cwd):
    """`helios log --oneline` as (short id, subject) pairs, newest first; every line must be `<hex id> <subject>`."""
    out = helios("log", "--oneline", cwd=cwd).stdout
    entries = []
    for line in out.splitlines():
        match = ONELINE.fullmatch(line)
        check(match is not None, f"`helios log --oneline` line {line!r} is not '<short id> <subject>'")
        entries.append((match.group(1), match.group(2)))
    return entries


def check_log(cwd, expected):
    """The log's subjects are exactly expected (newest first); with full ids given, each short id is a prefix of its id."""
    entries = log_oneline(cwd)
    check_equal([s for _, s in entries], [s for s, _ in expected], f"`helios log --oneline` subjects in {cwd}")
    for (short, subject), (_, full) in zip(entries, expected):
        if full is not None:
            check(full.startswith(short), f"log line {short} {subject!r}: {short} is not a prefix of the commit's id {full}")


def check_clean(cwd):
    out = helios("status", "--porcelain", cwd=cwd).stdout
    check_equal(out, "", f"`helios status --porcelain` in {cwd} (expected a clean tree)")


def write(path, text):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def snapshot(root):
    """Every file under root as relative path -> bytes, and every directory; .helios (a folder, or
    whatever marks a linked worktree) is left out."""
    files, dirs = {}, set()
    for here, subdirs, names in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d != ".helios")
        rel = os.path.relpath(here, root)
        if rel != ".":
            dirs.add(rel)
        for name in names:
            if name == ".helios":
                continue
            path = os.path.join(here, name)
            with open(path, "rb") as f:
                files[os.path.relpath(path, root)] = f.read()
    return files, dirs


def _digest(*parts):
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def fake_generate(prompt, variation):
    """Stands in for an LLM call: the same prompt and variation always give the same, distinct code."""
    h = _digest(prompt, variation)
    limit = int(h[:4], 16) % 97 + 3
    strategy = ("insertion", "merge", "heap", "radix", "timsort")[int(h[4:6], 16) % 5]
    return (f'"""{prompt} (variation {variation}): {strategy} strategy."""\n\n\n'
            f"def solve(items):\n"
            f"    # generated with seed {h[:12]}\n"
            f"    return sorted(items)[:{limit}]\n")


def fake_score(path):
    """Stands in for running the tests: a deterministic score in 1..1000 from the file's bytes on disk."""
    with open(path, "rb") as f:
        return int(hashlib.sha256(f.read()).hexdigest()[:6], 16) % 1000 + 1


def score_of_text(text):
    return int(hashlib.sha256(text.encode()).hexdigest()[:6], 16) % 1000 + 1


def main(name, workflow):
    """Runs workflow(base_dir). Exits 0 and prints PASS, or prints what failed (and the last
    helios commands) and exits 1. Without --dir a temp folder is used and removed on success."""
    parser = argparse.ArgumentParser(description=f"End-to-end workflow test: {name}. Needs the built helios on PATH.")
    parser.add_argument("--dir", help="an empty folder to work in (default: a new temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    if shutil.which("helios") is None:
        print(f"{name}: FAIL: helios is not on PATH; put the built CLI's folder first, e.g. "
              "`./helios --version && PATH=$PWD/.build/cli:$PATH`", file=sys.stderr)
        return 1
    base = os.path.realpath(args.dir or tempfile.mkdtemp(prefix=f"helios-e2e-{name}-"))
    os.makedirs(base, exist_ok=True)
    print(f"{name}: working in {base} with {shutil.which('helios')}")
    ok = False
    try:
        workflow(base)
        ok = True
        print(f"{name}: PASS")
        return 0
    except CheckFailed as e:
        print(f"{name}: FAIL: {e}", file=sys.stderr)
    except Exception:  # an unexpected error in the script itself or a timeout: still a clear failure
        print(f"{name}: FAIL with an unexpected error:\n{traceback.format_exc()}", file=sys.stderr)
    finally:
        if not args.dir and (ok and not args.keep):
            shutil.rmtree(base, ignore_errors=True)
    with _transcript_lock:
        print("last helios commands:\n  " + "\n  ".join(_transcript[-25:]), file=sys.stderr)
    print(f"{name}: files kept in {base}", file=sys.stderr)
    return 1
