#!/usr/bin/env bash
# Side by side: `git fast-export --all > /dev/null` against `helios import --from-git` of the same
# synthetic repository (COMMITS commits over FILES files, 3 files changed per commit).
# Usage: bench/sidebyside/import.sh [COMMITS] [FILES]   (defaults: 10000 5000, the issue's target)
set -euo pipefail
COMMITS=${1:-10000}
FILES=${2:-5000}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HELIOS="$ROOT/helios"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null HOME="$WORK"

git init -q "$WORK/src"
python3 - "$COMMITS" "$FILES" <<'PY' | git -C "$WORK/src" fast-import --quiet
import sys
commits, files = int(sys.argv[1]), int(sys.argv[2])
out = sys.stdout.buffer
def data(b):
    out.write(b"data %d\n" % len(b)); out.write(b); out.write(b"\n")
for c in range(commits):
    out.write(b"commit refs/heads/main\n")
    out.write(b"committer Bench <b@example.com> %d +0000\n" % (1700000000 + c))
    data(b"commit %d\n" % c)
    if c == 0:
        for f in range(files):
            out.write(b"M 100644 inline d%d/f%d.txt\n" % (f % 50, f)); data(b"file %d version 0\n" % f)
    else:
        for k in range(3):
            f = (c * 7 + k * 1013) % files
            out.write(b"M 100644 inline d%d/f%d.txt\n" % (f % 50, f)); data(b"file %d version %d\n" % (f, c))
    out.write(b"\n")
PY

start=$(date +%s.%N)
git -C "$WORK/src" fast-export --all --reencode=no --signed-tags=strip --show-original-ids --use-done-feature > /dev/null
git_s=$(echo "$(date +%s.%N) - $start" | bc)

mkdir "$WORK/h" && (cd "$WORK/h" && "$HELIOS" init > /dev/null)
start=$(date +%s.%N)
(cd "$WORK/h" && "$HELIOS" import --from-git "$WORK/src" 2> /dev/null)
helios_s=$(echo "$(date +%s.%N) - $start" | bc)

printf 'commits %d files %d: git fast-export %.2f s, helios import %.2f s, ratio %.2f (target <= 2)\n' \
  "$COMMITS" "$FILES" "$git_s" "$helios_s" "$(echo "$helios_s / $git_s" | bc -l)"
