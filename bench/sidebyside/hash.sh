#!/usr/bin/env bash
# Side-by-side hashing benchmark (issue 7): Debian's b3sum and `helios b3sum` on the same files in
# /dev/shm, each command timed by `hyperfine -N` with warm-ups, plus BLAKE3 on 4 KiB inputs measured
# in-process with BenchmarkDotNet (a process start costs far more than hashing 4 KiB). Prints one
# table of medians and ratios against the issue's targets:
#   one thread, 1 MiB and larger: helios at least 60% of `b3sum --num-threads 1` (time ratio <= 1.67)
#   all cores, 64 MiB:            helios at least 60% of `b3sum` (default threads)  (time ratio <= 1.67)
#   4 KiB inputs, in-process:     at least 1 GB/s
#
#   bench/sidebyside/hash.sh [--quick] [--runs N] [--warmup N] [--dir DIR] [--out FILE.md]
#                            [--results DIR] [--keep] [--helios BIN]
#
# --quick        1 MiB and 64 MiB, 100 files of 4 KiB, 1 warm-up and 5 runs, a short BDN job (~1 minute)
# --runs N       timed runs per command (default 20; 10 for 256 MiB)
# --warmup N     warm-up runs per command (default 3)
# --dir DIR      where the files go (default /dev/shm when it has room, else $TMPDIR or /tmp)
# --out FILE     also write the table, the run's details and every command to FILE (markdown)
# --results DIR  keep the hyperfine JSON exports, meta.tsv and manifest.tsv in DIR (for bench/report)
# --keep         keep the files and the exports (the path is printed)
# --helios BIN   the helios program to measure (default: .build/cli/helios, built by ./helios)
#
# Every command is printed as it runs, so any one can be rerun by hand. Exits 1 if any command
# failed or a hash differed between the tools, 2 on bad arguments.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

usage() { sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "hash.sh: $*" >&2; exit 2; }

quick=0 runs_arg="" warmup_arg="" dir_arg="" out="" results_arg="" keep=0 helios_arg=""
while (($#)); do
  case $1 in
    --quick) quick=1 ;;
    --runs) [[ $# -ge 2 ]] || die "--runs needs a number"; runs_arg=$2; shift ;;
    --warmup) [[ $# -ge 2 ]] || die "--warmup needs a number"; warmup_arg=$2; shift ;;
    --dir) [[ $# -ge 2 ]] || die "--dir needs a directory"; dir_arg=$2; shift ;;
    --out) [[ $# -ge 2 ]] || die "--out needs a file"; out=$(realpath -m "$2"); shift ;;
    --results) [[ $# -ge 2 ]] || die "--results needs a directory"; results_arg=$(realpath -m "$2"); shift ;;
    --keep) keep=1 ;;
    --helios) [[ $# -ge 2 ]] || die "--helios needs a program"; helios_arg=$(realpath "$2"); shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option '$1'" ;;
  esac
  shift
done
for v in "$runs_arg" "$warmup_arg"; do [[ -z $v || $v =~ ^[0-9]+$ ]] || die "--runs and --warmup take a number"; done
[[ -z $runs_arg ]] || ((runs_arg >= 2)) || die "--runs must be at least 2"
warmup=${warmup_arg:-$((quick ? 1 : 3))}

# --- tools -------------------------------------------------------------------------------------
need_apt=()
command -v hyperfine >/dev/null || need_apt+=(hyperfine)
command -v b3sum >/dev/null || need_apt+=(b3sum)
if ((${#need_apt[@]})); then
  echo "hash.sh: installing ${need_apt[*]} (apt-get)"
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq && $sudo apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
for tool in b3sum python3 dotnet hyperfine; do
  command -v $tool >/dev/null || { echo "hash.sh: $tool is required" >&2; exit 2; }
done

if [[ -n $helios_arg ]]; then
  HELIOS=$helios_arg
else
  echo "== building helios (./helios --version builds the CLI once)"
  "$root/helios" --version >/dev/null
  HELIOS="$root/.build/cli/helios"
fi
[[ -x $HELIOS ]] || { echo "hash.sh: $HELIOS was not built" >&2; exit 2; }
echo "== building the benchmark program"
dotnet build "$root/bench/Helios.Benchmarks" -c Release --nologo -v quiet >/dev/null
BENCH="$root/bench/Helios.Benchmarks/bin/Release/net10.0/Helios.Benchmarks.dll"

# --- files ---------------------------------------------------------------------------------------
if ((quick)); then sizes_mib=(1 64); small_files=100; else sizes_mib=(1 64 256); small_files=1000; fi
need=$(( (1 + 64 + 256) * 1024 * 1024 + small_files * 4096 + 64 * 1024 * 1024 ))
if [[ -n $dir_arg ]]; then
  base=$dir_arg
elif [[ -d /dev/shm && -w /dev/shm ]] && (($(df --output=avail -B1 /dev/shm | tail -n 1) > need)); then
  base=/dev/shm
else
  base=${TMPDIR:-/tmp}
fi
mkdir -p "$base"
work=$(mktemp -d "$base/helios-hash.XXXXXX")
results=${results_arg:-$work/results}
mkdir -p "$results"
cleanup() { if ((keep)); then echo "kept: $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
fstype=$(df --output=fstype "$work" | tail -n 1)
echo "== files under $work ($fstype)"
: >"$results/meta.tsv"; : >"$results/manifest.tsv"; : >"$results/extra.md"

meta() { printf '%s\t%s\n' "$1" "$2" >>"$results/meta.tsv"; }
meta "date" "$(date -u '+%Y-%m-%d %H:%M UTC')"
meta "machine" "$(lscpu | sed -n 's/^Model name: *//p' | head -n 1), nproc $(nproc), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM, $(grep -o 'avx512[a-z]*\|avx2' /proc/cpuinfo | sort -u | tr '\n' ' ')"
meta "versions" "$(b3sum --version), $(hyperfine --version), helios $("$HELIOS" --version), .NET $(dotnet --list-runtimes | sed -n 's/^Microsoft.NETCore.App \([^ ]*\).*/\1/p' | tail -n 1)"
meta "files" "$work ($fstype)"
meta "load average at start" "$(cut -d' ' -f1-3 /proc/loadavg)"

for mib in "${sizes_mib[@]}"; do
  echo "  \$ head -c $((mib << 20)) /dev/urandom > $work/random-${mib}m.bin"
  head -c $((mib << 20)) /dev/urandom >"$work/random-${mib}m.bin"
done
mkdir -p "$work/small"
echo "  \$ $small_files files of 4 KiB from /dev/urandom in $work/small"
python3 - "$work/small" "$small_files" <<'EOF'
import os, sys
for i in range(int(sys.argv[2])):
    with open(os.path.join(sys.argv[1], f"f{i:05d}.bin"), "wb") as f:
        f.write(os.urandom(4096))
EOF

failed=0
# Both tools must print the same sums, or the timings compare different work.
check_same() {
  local a b
  a=$(b3sum "$@" 2>&1) || true
  b=$("$HELIOS" b3sum "$@" 2>&1) || true
  if [[ "$a" != "$b" ]]; then
    echo "hash.sh: b3sum and helios b3sum disagree on $*" >&2
    meta "MISMATCH" "b3sum and helios b3sum print different sums for $*"
    failed=1
  fi
}

# hf LABEL JSON RUNS COMMAND... -> prints the command line; 0 if it ran, else 1
hf() {
  local label=$1 json=$2 n=$3; shift 3
  local cmd="$*"
  local args=(-N --style basic --warmup "$warmup" --runs "$n" --export-json "$json" --command-name "$label" "$cmd")
  local line; line="hyperfine $(printf '%q ' "${args[@]}")"
  # A long list of files is shown as the glob that produced it.
  [[ -n ${shown_list:-} ]] && line=${line//"$(printf '%q' "$shown_list")"/$shown_glob}
  echo "  \$ $line"
  printf '%s' "$line" >"$json.cmd"
  if hyperfine "${args[@]}"; then return 0; fi
  printf '%s' "'$cmd' failed: $(bash -c "$cmd" 2>&1 >/dev/null | tr '\n' ' ' | cut -c1-300)" >"$json.failure"
  rm -f "$json"
  return 1
}

# bench WORKLOAD INPUT TARGET BASE_NAME BASE_CMD HELIOS_CMD RUNS
bench() {
  local workload=$1 input=$2 target=$3 base_name=$4 bcmd=$5 hcmd=$6 n=$7
  local id; id=$(tr -c 'a-zA-Z0-9\n' '_' <<<"$workload-$input")
  local bjson="$results/$id.base.json" hjson="$results/$id.helios.json"
  echo "== $workload, $input"
  hf "$base_name" "$bjson" "$n" "$bcmd" || failed=1
  hf "helios b3sum" "$hjson" "$n" "$hcmd" || failed=1
  local failure=""
  for j in "$bjson" "$hjson"; do [[ -f $j.failure ]] && failure+="$(cat "$j.failure") "; done
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$workload" "$input" "$target" "$base_name" \
    "$bjson" "$(cat "$bjson.cmd" 2>/dev/null)" "$hjson" "$(cat "$hjson.cmd" 2>/dev/null)" "$failure" >>"$results/manifest.tsv"
}

H=$(printf '%q' "$HELIOS")
# Helios reaching 60% of b3sum's speed means taking at most 1/0.6 of its time.
target="le 1.67"
for mib in "${sizes_mib[@]}"; do
  f="$work/random-${mib}m.bin"
  check_same "$f"
  n=${runs_arg:-$((quick ? 5 : (mib >= 256 ? 10 : 20)))}
  bench "one thread" "1 × $mib MiB" "$target" "b3sum --num-threads 1" \
    "b3sum --num-threads 1 $f" "$H b3sum --num-threads 1 $f" "$n"
  bench "all cores" "1 × $mib MiB" "$([[ $mib == 64 ]] && echo "$target" || echo -)" "b3sum" \
    "b3sum $f" "$H b3sum $f" "$n"
done
shown_list=$(printf '%s ' "$work"/small/*.bin); shown_list=${shown_list% }
shown_glob="$work/small/*.bin"
check_same "$work"/small/*.bin
n=${runs_arg:-$((quick ? 5 : 20))}
bench "many small files" "$small_files × 4 KiB" "-" "b3sum" "b3sum $shown_list" "$H b3sum $shown_list" "$n"
shown_list=""

# Process start-up alone, so the hashing time of the large files can be told apart from it.
: >"$work/empty.bin"
bench "start-up (empty file)" "0 B" "-" "b3sum" "b3sum $work/empty.bin" "$H b3sum $work/empty.bin" "$n"

# --- in-process ---------------------------------------------------------------------------------
# 4 KiB in-process (process start-up would hide it), and 1 MiB / 64 MiB on one thread and on all cores.
echo "== BLAKE3 in-process (BenchmarkDotNet): 4 KiB, 1 MiB, 64 MiB"
bdn="$results/bdn"
job=(); ((quick)) && job=(--job short)
bdn_sizes="4096,1048576,67108864"
bdn_cmd="HELIOS_BENCH_HASH_SIZES=$bdn_sizes dotnet $BENCH --filter '*HashingBenchmarks*' ${job[*]} --exporters json --artifacts $bdn"
echo "  \$ $bdn_cmd"
if ! HELIOS_BENCH_HASH_SIZES=$bdn_sizes dotnet "$BENCH" --filter '*HashingBenchmarks*' "${job[@]}" --exporters json --artifacts "$bdn" >"$results/bdn.log" 2>&1; then
  failed=1
  echo "hash.sh: BenchmarkDotNet failed (log: $results/bdn.log)" >&2
fi
python3 "$here/hash_inprocess.py" "$bdn" "$bdn_cmd" "$results" >>"$results/extra.md" \
  || { failed=1; echo "hash.sh: could not summarise the in-process results" >&2; }

meta "load average at end" "$(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "== results (medians in ms; ± is hyperfine's standard deviation, then min–max; ratio = helios / b3sum)"
sed 's/^/  /; s/\t/: /' "$results/meta.tsv"
echo
report=(python3 "$here/report.py" "$results" --title "Side-by-side: b3sum and helios b3sum (bench/sidebyside/hash.sh)" --column input)
[[ -n $out ]] && report+=(--out "$out")
"${report[@]}"
exit $failed
