#!/usr/bin/env bash
# Side-by-side merge benchmark (issue 3): a 10,000-file tree in git and in Helios with the same
# bytes; branch "feature" appends a line to 100 files, main adds one file of its own, then each
# tool merges feature into main (a real three-way merge with a merge commit, no conflicts).
#
#   bench/sidebyside/merge.sh [--files N] [--changed K] [--runs N] [--warmup N] [--dir DIR] [--keep]
#
# Timed, in one run on the same machine:
#   git merge --no-edit feature        (hyperfine -N; --prepare resets main to its pre-merge commit)
#   helios merge feature               (the same, through the CLI)
#   Repository.Merge in the library    (bench/Helios.Benchmarks -- merge: new handle per run, and one open handle)
# and prints the medians with the ratios the issue sets: library at most 1/5 of git merge,
# CLI at most 1.5x. Every command is printed as it runs, so any one can be rerun by hand.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
die() { echo "merge.sh: $*" >&2; exit 2; }

files=10000 changed=100 runs=20 warmup=3 dir="" keep=0
while (($#)); do
  case $1 in
    --files) files=$2; shift ;;
    --changed) changed=$2; shift ;;
    --runs) runs=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --dir) dir=$2; shift ;;
    --keep) keep=1 ;;
    -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1'" ;;
  esac
  shift
done

if ! command -v hyperfine >/dev/null; then
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get install -y -qq hyperfine >/dev/null || { $sudo apt-get update -qq && $sudo apt-get install -y -qq hyperfine >/dev/null; }
fi

echo "== building helios and the benchmark program"
"$root/helios" --version >/dev/null
HELIOS="$root/.build/cli/helios"
dotnet build "$root/bench/Helios.Benchmarks" -c Release --nologo -v quiet >/dev/null
BENCH="$root/bench/Helios.Benchmarks/bin/Release/net10.0/Helios.Benchmarks.dll"

if [[ -z $dir ]]; then
  dir=$(mktemp -d -p "$( [[ -d /dev/shm ]] && echo /dev/shm || echo "${TMPDIR:-/tmp}")" helios-merge-bench.XXXXXX)
fi
[[ $keep -eq 1 ]] || trap 'rm -rf "$dir"' EXIT
G="$dir/git" H="$dir/helios"
run() { echo "+ $*"; "$@"; }
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com

echo "== setup: $files files, feature changes $changed of them, in $dir"
mkdir -p "$G" "$H"
run python3 "$here/tree.py" gen "$files" "$G" "$H"
(cd "$G" && run git init -q -b main . && run git add -A && run git commit -q -m base && run git branch feature)
(cd "$H" && run "$HELIOS" init . >/dev/null && run "$HELIOS" commit -m base >/dev/null && run "$HELIOS" branch feature)
for side in "$G:git" "$H:helios"; do
  d=${side%%:*} tool=${side##*:}
  cd "$d"
  if [[ $tool == git ]]; then
    git checkout -q feature; python3 "$here/tree.py" modify "$files" "$changed" .; git commit -qam "feature: $changed files"
    git checkout -q main; echo "main only" > main-only.txt; git add main-only.txt; git commit -qm "main: one file"
  else
    "$HELIOS" checkout feature >/dev/null 2>&1; python3 "$here/tree.py" modify "$files" "$changed" .; "$HELIOS" commit -m "feature: $changed files" >/dev/null
    "$HELIOS" checkout main >/dev/null 2>&1; echo "main only" > main-only.txt; "$HELIOS" commit -m "main: one file" >/dev/null
  fi
done
git_main=$(git -C "$G" rev-parse main)
helios_main=$("$HELIOS" -C "$H" rev-parse main)

echo "== timing (hyperfine -N, $warmup warm-ups, $runs runs)"
hf() { # LABEL DIR PREPARE COMMAND
  local json="$dir/$1.json"
  echo "+ (cd $2 && hyperfine -N --warmup $warmup --runs $runs --prepare '$3' '$4')" >&2
  (cd "$2" && hyperfine -N --style basic --warmup "$warmup" --runs "$runs" --prepare "$3" --export-json "$json" "$4" >/dev/null)
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; import statistics as s; print("%.2f %.2f %.2f %.2f" % (s.median(r["times"])*1000, r["stddev"]*1000, min(r["times"])*1000, max(r["times"])*1000))' "$json"
}
read -r git_ms git_sd git_min git_max < <(hf git "$G" "git reset -q --hard $git_main" "git merge -q --no-edit feature")
read -r cli_ms cli_sd cli_min cli_max < <(hf helios "$H" "$HELIOS reset --hard $helios_main" "$HELIOS merge feature")
echo "+ dotnet $BENCH merge $H feature --runs $runs"
"$HELIOS" -C "$H" reset --hard "$helios_main" >/dev/null
lib=$(dotnet "$BENCH" merge "$H" feature --runs "$runs")
echo "$lib"
lib_cold=$(sed -n 's/.*new handle per run: median \([0-9.]*\) ms.*/\1/p' <<<"$lib")
lib_warm=$(sed -n 's/.*one open handle: *median \([0-9.]*\) ms.*/\1/p' <<<"$lib")

python3 - "$git_ms" "$git_sd" "$git_min" "$git_max" "$cli_ms" "$cli_sd" "$cli_min" "$cli_max" "$lib_cold" "$lib_warm" "$files" "$changed" <<'EOF'
import sys
g, gsd, gmin, gmax, c, csd, cmin, cmax, lc, lw = map(float, sys.argv[1:11])
files, changed = sys.argv[11], sys.argv[12]
print()
print(f"Merging a branch that changed {changed} files into a {files}-file tree (medians; stddev, min-max):")
print(f"| what | median | noise | ratio to git merge | target |")
print(f"|---|---:|---|---:|---|")
print(f"| git merge --no-edit feature | {g:.1f} ms | ±{gsd:.1f}, {gmin:.1f}-{gmax:.1f} | 1.00 | |")
print(f"| helios merge feature (CLI) | {c:.1f} ms | ±{csd:.1f}, {cmin:.1f}-{cmax:.1f} | {c/g:.2f} | at most 1.5 |")
print(f"| Repository.Merge, new handle per run | {lc:.1f} ms | | {lc/g:.2f} | at most 0.2 |")
print(f"| Repository.Merge, one open handle | {lw:.1f} ms | | {lw/g:.2f} | at most 0.2 |")
EOF
