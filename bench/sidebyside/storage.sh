#!/usr/bin/env bash
# Storage benchmark side by side with git, in one run: W1 (1,000 variants of a 10 KiB file), W2 (a
# 5,000-file tree and 1,000 commits of 1-5 files), W3 (a 64 MiB binary, 50 versions with 1% scattered
# edits), each committed through the real helios CLI and real git; prints a markdown table of sizes
# and ratios against issue 9's targets, plus commit and read-back times.
#
#   bench/sidebyside/storage.sh [--quick] [--workloads w1,w2,w3] [--dir DIR] [--out FILE.md]
#                               [--keep] [--helios BIN] [--nodelta KEY=VALUE]
#
# --quick        W1 200 variants, W2 1,000 files and 200 commits, W3 16 MiB and 10 versions (~1-2 min)
# --workloads    which workloads to run (default all three)
# --dir DIR      where the repositories go (default /dev/shm when it has 8 GiB free, else $TMPDIR or /tmp)
# --out FILE     also write the table to FILE (markdown), for bench/report
# --keep         keep the repositories (the path is printed)
# --helios BIN   the helios program (default: .build/cli/helios, built by ./helios)
# --nodelta KV   the `helios config set` KEY=VALUE that stores without deltas (default
#                storage.max_delta_depth=0): every version is also read back from a second repository with
#                that setting, for the read-back ratio; `--nodelta none` skips that comparison
#
# Full run: about 3.3 GB of git loose objects for W3 and several minutes; run on a quiet machine.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

usage() { sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "storage.sh: $*" >&2; exit 2; }

quick=() workloads="w1,w2,w3" dir_arg="" out="" keep=0 helios_arg="" nodelta="storage.max_delta_depth=0"
while (($#)); do
  case $1 in
    --quick) quick=(--quick) ;;
    --workloads) [[ $# -ge 2 ]] || die "--workloads needs a list"; workloads=$2; shift ;;
    --workloads=*) workloads=${1#*=} ;;
    --dir) [[ $# -ge 2 ]] || die "--dir needs a directory"; dir_arg=$2; shift ;;
    --out) [[ $# -ge 2 ]] || die "--out needs a file"; out=$(realpath -m "$2"); shift ;;
    --keep) keep=1 ;;
    --helios) [[ $# -ge 2 ]] || die "--helios needs a program"; helios_arg=$(realpath "$2"); shift ;;
    --nodelta) [[ $# -ge 2 ]] || die "--nodelta needs KEY=VALUE or none"; nodelta=$2; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option '$1'" ;;
  esac
  shift
done

missing=()
for tool in git python3; do command -v $tool >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then
  echo "storage.sh: installing ${missing[*]} (apt-get)"
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq && $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [[ -n $helios_arg ]]; then
  HELIOS=$helios_arg
else
  echo "== building helios (./helios --version builds the CLI once)" >&2
  "$root/helios" --version >/dev/null
  HELIOS="$root/.build/cli/helios"
fi
[[ -x $HELIOS ]] || die "$HELIOS was not built"
[[ $nodelta == none ]] && nodelta=""

if [[ -n $dir_arg ]]; then
  base=$dir_arg
elif [[ -d /dev/shm ]] && (( $(df -Pk /dev/shm | awk 'NR==2 {print $4}') > 8 * 1024 * 1024 )); then
  base=/dev/shm
else
  base=${TMPDIR:-/tmp}
fi
work=$(mktemp -d "$base/helios-storage-bench.XXXXXX")
if ((keep)); then echo "storage.sh: repositories kept in $work" >&2; else trap 'rm -rf "$work"' EXIT; fi

# Agents run with their own identity; the benchmark must not read the caller's git config.
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 HELIOS_AGENT=bench
echo "== $(uptime)" >&2
python3 "$here/storage.py" --helios "$HELIOS" --dir "$work" --workloads "$workloads" ${quick[@]+"${quick[@]}"} \
  ${nodelta:+--nodelta "$nodelta"} ${out:+--out "$out"}
